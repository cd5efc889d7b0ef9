-- CreateTable
CREATE TABLE "TerminalRecording" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "podId" TEXT NOT NULL,
    "containerId" TEXT,
    "title" TEXT NOT NULL,
    "ownerId" TEXT,
    "ownerName" TEXT NOT NULL,
    "file" TEXT NOT NULL,
    "inputRecorded" BOOLEAN NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" DATETIME,
    "bytes" INTEGER NOT NULL DEFAULT 0
);

-- CreateIndex
CREATE INDEX "TerminalRecording_podId_idx" ON "TerminalRecording"("podId");

-- CreateIndex
CREATE INDEX "TerminalRecording_startedAt_idx" ON "TerminalRecording"("startedAt");

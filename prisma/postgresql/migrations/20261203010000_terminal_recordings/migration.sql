-- CreateTable
CREATE TABLE "TerminalRecording" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "podId" TEXT NOT NULL,
    "containerId" TEXT,
    "title" TEXT NOT NULL,
    "ownerId" TEXT,
    "ownerName" TEXT NOT NULL,
    "file" TEXT NOT NULL,
    "inputRecorded" BOOLEAN NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),
    "bytes" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "TerminalRecording_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TerminalRecording_podId_idx" ON "TerminalRecording"("podId");

-- CreateIndex
CREATE INDEX "TerminalRecording_startedAt_idx" ON "TerminalRecording"("startedAt");

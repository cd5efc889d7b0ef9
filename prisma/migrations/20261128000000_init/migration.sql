-- CreateTable
CREATE TABLE "Pod" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "state" TEXT NOT NULL,
    "config" TEXT NOT NULL,
    "runtime" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Container" (
    "podId" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "config" TEXT NOT NULL,
    "process" TEXT,
    "agentState" TEXT NOT NULL,
    "exitCode" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("podId", "id"),
    CONSTRAINT "Container_podId_fkey" FOREIGN KEY ("podId") REFERENCES "Pod" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PodEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "podId" TEXT NOT NULL,
    "time" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "call" TEXT NOT NULL,
    "containerId" TEXT,
    "outcome" TEXT NOT NULL,
    "errorCode" TEXT,
    "message" TEXT NOT NULL,
    "fromState" TEXT,
    "toState" TEXT,
    CONSTRAINT "PodEvent_podId_fkey" FOREIGN KEY ("podId") REFERENCES "Pod" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "PodEvent_podId_id_idx" ON "PodEvent"("podId", "id");


-- CreateTable
CREATE TABLE "Pod" (
    "id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "config" TEXT NOT NULL,
    "runtime" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Pod_pkey" PRIMARY KEY ("id")
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Container_pkey" PRIMARY KEY ("podId","id")
);

-- CreateTable
CREATE TABLE "PodEvent" (
    "id" SERIAL NOT NULL,
    "podId" TEXT NOT NULL,
    "time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "call" TEXT NOT NULL,
    "containerId" TEXT,
    "outcome" TEXT NOT NULL,
    "errorCode" TEXT,
    "message" TEXT NOT NULL,
    "fromState" TEXT,
    "toState" TEXT,

    CONSTRAINT "PodEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PodEvent_podId_id_idx" ON "PodEvent"("podId", "id");

-- AddForeignKey
ALTER TABLE "Container" ADD CONSTRAINT "Container_podId_fkey" FOREIGN KEY ("podId") REFERENCES "Pod"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PodEvent" ADD CONSTRAINT "PodEvent_podId_fkey" FOREIGN KEY ("podId") REFERENCES "Pod"("id") ON DELETE CASCADE ON UPDATE CASCADE;


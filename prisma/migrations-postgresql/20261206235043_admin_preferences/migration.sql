-- CreateTable
CREATE TABLE "AdminPreference" (
    "adminId" TEXT NOT NULL,
    "density" TEXT NOT NULL DEFAULT 'comfortable',
    "hiddenColumns" TEXT,
    "timeZone" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AdminPreference_pkey" PRIMARY KEY ("adminId")
);

-- AddForeignKey
ALTER TABLE "AdminPreference" ADD CONSTRAINT "AdminPreference_adminId_fkey" FOREIGN KEY ("adminId") REFERENCES "AdminUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;


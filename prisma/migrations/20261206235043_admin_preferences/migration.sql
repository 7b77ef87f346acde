-- CreateTable
CREATE TABLE "AdminPreference" (
    "adminId" TEXT NOT NULL PRIMARY KEY,
    "density" TEXT NOT NULL DEFAULT 'comfortable',
    "hiddenColumns" TEXT,
    "timeZone" TEXT,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AdminPreference_adminId_fkey" FOREIGN KEY ("adminId") REFERENCES "AdminUser" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);


-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "reminder" INTEGER;

-- AlterTable
ALTER TABLE "Invitation" ADD COLUMN     "linkToken" TEXT;


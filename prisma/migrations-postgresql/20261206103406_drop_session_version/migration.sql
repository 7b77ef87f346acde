-- AlterTable
ALTER TABLE "AdminUser" DROP COLUMN "sessionVersion";


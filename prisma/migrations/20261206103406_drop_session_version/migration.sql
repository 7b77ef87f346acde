-- AlterTable
-- Hand-edited: Prisma redefines the table (copy, DROP TABLE, rename), and inside the runner's transaction
-- SQLite keeps foreign keys on, so dropping "AdminUser" would cascade to every AdminSession row.
-- SQLite (3.35+) drops a plain column in place.
ALTER TABLE "AdminUser" DROP COLUMN "sessionVersion";

-- AlterTable
ALTER TABLE "EntraAuthSettings" ALTER COLUMN "audience" SET DEFAULT '{ClientId}';


-- The former default (seed 001's Azure SQL resource) never matched an ID token of this console's
-- sign-in, whose aud is the client id: rows still holding it follow the new default.
UPDATE "EntraAuthSettings" SET "audience" = '{ClientId}' WHERE "audience" = 'https://database.windows.net/';

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_EntraAuthSettings" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "tenantId" TEXT NOT NULL DEFAULT '',
    "clientId" TEXT NOT NULL DEFAULT '',
    "audience" TEXT NOT NULL DEFAULT '{ClientId}',
    "issuer" TEXT NOT NULL DEFAULT 'https://sts.windows.net/{TenantId}/',
    "authority" TEXT NOT NULL DEFAULT 'https://login.microsoftonline.com/{TenantId}/',
    "metadataAddress" TEXT NOT NULL DEFAULT 'https://login.microsoftonline.com/{TenantId}/v2.0/.well-known/openid-configuration',
    "requiredClaims" TEXT NOT NULL DEFAULT 'tid={TenantId};',
    "clockSkew" TEXT NOT NULL DEFAULT '00:05:00',
    "jwksCacheDuration" TEXT NOT NULL DEFAULT '01:00:00',
    "certificateThumbprint" TEXT NOT NULL DEFAULT '',
    "groupCacheDuration" TEXT NOT NULL DEFAULT '00:30:00',
    "apiAudience" TEXT NOT NULL DEFAULT '',
    "apiIssuer" TEXT NOT NULL DEFAULT '',
    "localSignInEnabled" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_EntraAuthSettings" ("apiAudience", "apiIssuer", "audience", "authority", "certificateThumbprint", "clientId", "clockSkew", "enabled", "groupCacheDuration", "id", "issuer", "jwksCacheDuration", "localSignInEnabled", "metadataAddress", "requiredClaims", "tenantId", "updatedAt", "version") SELECT "apiAudience", "apiIssuer", "audience", "authority", "certificateThumbprint", "clientId", "clockSkew", "enabled", "groupCacheDuration", "id", "issuer", "jwksCacheDuration", "localSignInEnabled", "metadataAddress", "requiredClaims", "tenantId", "updatedAt", "version" FROM "EntraAuthSettings";
DROP TABLE "EntraAuthSettings";
ALTER TABLE "new_EntraAuthSettings" RENAME TO "EntraAuthSettings";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- The former default (seed 001's Azure SQL resource) never matched an ID token of this console's
-- sign-in, whose aud is the client id: rows still holding it follow the new default.
UPDATE "EntraAuthSettings" SET "audience" = '{ClientId}' WHERE "audience" = 'https://database.windows.net/';

import "server-only";
import { db } from "@/lib/db";
import type { ConsentFlow } from "@/lib/generated/prisma/enums";

export type ConsentLinkMetadata = { id: string; flow: ConsentFlow; createdAt: Date; createdBy: string; expiresAt: Date; lastUsedAt: Date | null };

/**
 * The tenant's newest usable consent link (not expired, revoked or completed), as metadata. Its URL is
 * gone for good: only the hash of the link's token is stored.
 */
export async function activeConsentLink(tenantId: string): Promise<ConsentLinkMetadata | null> {
  return db.consentLink.findFirst({
    where: { tenantId, revokedAt: null, completedAt: null, expiresAt: { gt: new Date() } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, flow: true, createdAt: true, createdBy: true, expiresAt: true, lastUsedAt: true },
  });
}

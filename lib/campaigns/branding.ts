import "server-only";
import { db } from "@/lib/db";
import { refuse, type Result } from "@/lib/errors";
import type { BrandingValues } from "@/lib/validations/branding";

/**
 * The MSP's branding (Settings → Branding): its name, support contact, custom text and logo, shown on the
 * customer-facing consent pages and in invitation emails. One row, id "branding"; defaults until saved.
 */

export const BRANDING_ID = "branding";

export type BrandingView = {
  mspName: string;
  supportEmail: string | null;
  supportUrl: string | null;
  customText: string | null;
  /** The console's URL path serving the logo (versioned), or null without one. */
  logoPath: string | null;
  inviteSubject: string | null;
  inviteText: string | null;
  version: number;
};

export async function getBranding(): Promise<BrandingView> {
  const row = await db.branding.findUnique({
    where: { id: BRANDING_ID },
    select: {
      mspName: true,
      supportEmail: true,
      supportUrl: true,
      customText: true,
      logoType: true,
      logoUpdatedAt: true,
      inviteSubject: true,
      inviteText: true,
      version: true,
    },
  });
  if (!row) return { mspName: "", supportEmail: null, supportUrl: null, customText: null, logoPath: null, inviteSubject: null, inviteText: null, version: 0 };
  const { logoType, logoUpdatedAt, ...rest } = row;
  return { ...rest, logoPath: logoType && logoUpdatedAt ? `/branding/logo?v=${logoUpdatedAt.getTime()}` : null };
}

/** The stored logo, for the public route that serves it (app/branding/logo/route.ts). */
export async function getBrandingLogo(): Promise<{ bytes: Uint8Array; type: string; updatedAt: Date } | null> {
  const row = await db.branding.findUnique({ where: { id: BRANDING_ID }, select: { logo: true, logoType: true, logoUpdatedAt: true } });
  if (!row?.logo || !row.logoType || !row.logoUpdatedAt) return null;
  return { bytes: row.logo, type: row.logoType, updatedAt: row.logoUpdatedAt };
}

const TEXT_FIELDS = ["mspName", "supportEmail", "supportUrl", "customText", "inviteSubject", "inviteText"] as const;

export type BrandingChange = {
  values: BrandingValues;
  /** A new logo (already checked: lib/validations/branding.ts checkLogo), "remove", or null to keep it. */
  logo: { bytes: Uint8Array; type: string } | "remove" | null;
  expectedVersion: number;
};

const CONFLICT = "Someone else changed the branding since you opened this page. Reset Changes to load their values, then apply yours again.";

/**
 * Saves the branding over the version the form was loaded with (compare-and-set on `version`; the first
 * save creates the row, so two first saves meet on the primary key). Answers the changed field names.
 */
export async function saveBranding(change: BrandingChange): Promise<Result<{ version: number; changedFields: string[] }>> {
  const current = await db.branding.findUnique({
    where: { id: BRANDING_ID },
    select: { mspName: true, supportEmail: true, supportUrl: true, customText: true, inviteSubject: true, inviteText: true, logoType: true, version: true },
  });
  if ((current?.version ?? 0) !== change.expectedVersion) return refuse("version-conflict", CONFLICT);
  const changedFields: string[] = TEXT_FIELDS.filter((f) => (current ? current[f] : f === "mspName" ? "" : null) !== change.values[f]);
  const logoData =
    change.logo === "remove"
      ? current?.logoType
        ? { logo: null, logoType: null, logoUpdatedAt: null }
        : {}
      : change.logo
        ? { logo: Buffer.from(change.logo.bytes), logoType: change.logo.type, logoUpdatedAt: new Date() }
        : {};
  if ("logo" in logoData) changedFields.push("logo");
  if (changedFields.length === 0) return { ok: true, data: { version: change.expectedVersion, changedFields } };
  if (!current) {
    try {
      await db.branding.create({ data: { id: BRANDING_ID, ...change.values, ...logoData, version: 1 } });
    } catch (e) {
      if ((e as { code?: string }).code === "P2002") return refuse("version-conflict", CONFLICT);
      throw e;
    }
    return { ok: true, data: { version: 1, changedFields } };
  }
  const { count } = await db.branding.updateMany({
    where: { id: BRANDING_ID, version: change.expectedVersion },
    data: { ...change.values, ...logoData, version: { increment: 1 } },
  });
  if (count !== 1) return refuse("version-conflict", CONFLICT);
  return { ok: true, data: { version: change.expectedVersion + 1, changedFields } };
}

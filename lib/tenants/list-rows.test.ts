import { describe, expect, it } from "vitest";
import type { TenantListItem } from "@/lib/data/tenants";
import { packTenantRows, unpackTenantRows } from "./list-rows";

const tenant: TenantListItem = {
  id: "t1",
  customerId: "C001",
  displayName: "Contoso",
  entraTenantId: null,
  primaryDomain: "contoso.onmicrosoft.com",
  adminEmail: "admin@contoso.example",
  authMethod: "APP_REGISTRATION",
  cloud: "USGOV",
  lastVerifiedAt: new Date("2026-11-01T10:00:00.123Z"),
  lastStatus: "WARNING",
  lastStatusCode: "SECRET_EXPIRING",
  lastStatusMessage: "Secret expires soon",
  accessBreaksAt: null,
  version: 3,
  authorization: "AUTHORIZED",
  tags: [
    { id: "g1", name: "Gold", color: "amber" },
    { id: "g2", name: "Healthcare", color: "teal" },
  ],
};
const tags = [...tenant.tags, { id: "g3", name: "Unused", color: "slate" as const }];

describe("tenant rows on the wire", () => {
  it("round-trip every field, dates included", () => {
    expect(unpackTenantRows(packTenantRows([tenant]), tags)).toEqual([tenant]);
  });

  it("carry each authorization state", () => {
    for (const authorization of ["NOT_AUTHORIZED", "AUTHORIZED", "BROKEN"] as const) {
      expect(unpackTenantRows(packTenantRows([{ ...tenant, authorization }]), tags)[0]!.authorization).toBe(authorization);
    }
  });

  it("send tags as ids, and none at all for a tenant without tags", () => {
    const [tagged, untagged] = packTenantRows([tenant, { ...tenant, id: "t2", tags: [] }]);
    expect(tagged!.at(-1)).toEqual(["g1", "g2"]);
    expect(untagged).toHaveLength(15);
    expect(unpackTenantRows([untagged!], tags)[0]!.tags).toEqual([]);
  });

  it("drop a tag the page's tag list no longer has (deleted meanwhile)", () => {
    expect(unpackTenantRows(packTenantRows([tenant]), [tags[1]!])[0]!.tags).toEqual([tags[1]]);
  });

  it("are shorter than the objects they stand for", () => {
    expect(JSON.stringify(packTenantRows([tenant])).length).toBeLessThan(JSON.stringify([tenant]).length * 0.7);
  });

  it("send enumerations as numbers and a reason's own title once, and keep what the console does not know", () => {
    const consent = { ...tenant, lastStatus: "FAILED" as const, lastStatusCode: "CONSENT_REQUIRED", lastStatusMessage: "Consent required" };
    const [row] = packTenantRows([consent]);
    expect(row!.slice(6, 12)).toEqual([expect.any(Number), 1, consent.lastVerifiedAt!.getTime(), 3, expect.any(Number), 1]);
    const odd = { ...tenant, lastStatusCode: "SOMETHING_NEW", lastStatusMessage: "Told by Microsoft" };
    const never = { ...tenant, lastStatus: "NEVER" as const, lastStatusCode: null, lastStatusMessage: null, lastVerifiedAt: null };
    const ownWords = { ...consent, lastStatusMessage: "AADSTS65001: consent missing" };
    expect(unpackTenantRows(packTenantRows([consent, odd, never, ownWords]), tags)).toEqual([consent, odd, never, ownWords]);
  });
});

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
};

describe("tenant rows on the wire", () => {
  it("round-trip every field, dates included", () => {
    expect(unpackTenantRows(packTenantRows([tenant]))).toEqual([tenant]);
  });

  it("carry each authorization state", () => {
    for (const authorization of ["NOT_AUTHORIZED", "AUTHORIZED", "BROKEN"] as const) {
      expect(unpackTenantRows(packTenantRows([{ ...tenant, authorization }]))[0]!.authorization).toBe(authorization);
    }
  });

  it("are shorter than the objects they stand for", () => {
    expect(JSON.stringify(packTenantRows([tenant])).length).toBeLessThan(JSON.stringify([tenant]).length * 0.7);
  });
});

import { describe, expect, it } from "vitest";
import { entraAuthDefaults, parseDuration } from "@/lib/auth/entra/settings-core";
import { roleForGroups } from "@/lib/auth/entra/roles";
import { entraAuthSettingsSchema, formatGroupRoles, parseGroupRoles } from "./entra-auth";

const TENANT = "02990467-5131-4a63-9a88-b578f38d89ab";
const base = { ...entraAuthDefaults, groupRoles: "", localSignInEnabled: true };
const valid = {
  ...base,
  enabled: true,
  tenantId: TENANT,
  clientId: "75ff0832-1cbe-4bf2-87b0-9b99cacbec68",
  certificateThumbprint: "A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4E5F6A1B2",
};

function errorsOf(input: Record<string, unknown>) {
  const result = entraAuthSettingsSchema.safeParse(input);
  return result.success ? {} : result.error.flatten().fieldErrors;
}

describe("entraAuthSettingsSchema (seed 001)", () => {
  it("accepts the seed's defaults with a tenant, client and thumbprint", () => {
    expect(entraAuthSettingsSchema.safeParse(valid).success).toBe(true);
  });

  it("ignores every other field when disabled", () => {
    expect(entraAuthSettingsSchema.safeParse({ ...base, clockSkew: "nonsense", tenantId: "x" }).success).toBe(true);
  });

  it("requires every field when enabled", () => {
    const errors = errorsOf({
      ...base,
      enabled: true,
      audience: "",
      issuer: "",
      authority: "",
      metadataAddress: "",
      requiredClaims: "",
      clockSkew: "",
      jwksCacheDuration: "",
      groupCacheDuration: "",
    });
    for (const field of [
      "tenantId",
      "clientId",
      "audience",
      "issuer",
      "authority",
      "metadataAddress",
      "requiredClaims",
      "clockSkew",
      "jwksCacheDuration",
      "certificateThumbprint",
      "groupCacheDuration",
    ]) {
      expect(errors[field as keyof typeof errors], field).toContain("Required when Entra Authentication is enabled");
    }
  });

  it.each([
    ["tenantId", "contoso.onmicrosoft.com", /GUID/],
    ["clockSkew", "5:00", /hh:mm:ss/],
    ["clockSkew", "02:00:00", /At most 01:00:00/],
    ["jwksCacheDuration", "00:60:00", /hh:mm:ss/],
    ["groupCacheDuration", "-00:01:00", /hh:mm:ss/],
    ["requiredClaims", "tid=", /no expected value/],
    ["requiredClaims", "ti d=x", /not a claim type/],
    ["issuer", "sts.windows.net/{TenantId}/", /full URL/],
    ["metadataAddress", "http://login.microsoftonline.com/{TenantId}/v2.0/.well-known/openid-configuration", /https/],
    ["authority", "https://login.microsoftonline.com/{TenantId}", /end with \//],
    ["certificateThumbprint", "A1B2C3", /SHA-1/],
    ["audience", "https://database .windows.net/", /without spaces/],
    ["apiAudience", "api://console api", /without spaces/],
    ["apiIssuer", "sts.windows.net/{TenantId}/", /full URL/],
    ["apiIssuer", "http://sts.windows.net/{TenantId}/", /API Issuer must use https/],
    ["groupRoles", "not-a-guid = Administrator", /Line 1/],
    [
      "authority",
      "https://169.254.169.254/{TenantId}/",
      /^Authority is not allowed: 169\.254\.169\.254 is a link-local address; add it to OUTBOUND_ALLOW_HOSTS/,
    ],
    ["authority", "https://2852039166/{TenantId}/", /^Authority is not allowed: 169\.254\.169\.254 is a link-local address/],
    [
      "metadataAddress",
      "https://metadata.google.internal/{TenantId}/v2.0/.well-known/openid-configuration",
      /^Metadata Address is not allowed: metadata\.google\.internal is a cloud instance metadata service/,
    ],
    [
      "metadataAddress",
      "https://localhost:8443/{TenantId}/v2.0/.well-known/openid-configuration",
      /^Metadata Address is not allowed: localhost:8443 is a loopback name/,
    ],
    [
      "metadataAddress",
      "https://[::1]:8443/{TenantId}/v2.0/.well-known/openid-configuration",
      /^Metadata Address is not allowed: \[::1\]:8443 is a loopback address/,
    ],
    [
      "metadataAddress",
      "https://10.0.0.5/{TenantId}/v2.0/.well-known/openid-configuration",
      /^Metadata Address is not allowed: 10\.0\.0\.5 is a private address/,
    ],
  ])("rejects %s = %j", (field, value, message) => {
    const errors = errorsOf({ ...valid, [field]: value });
    expect(errors[field as keyof typeof errors]?.join(" ")).toMatch(message);
  });

  it("accepts an authority and metadata address on a host OUTBOUND_ALLOW_HOSTS lists (127.0.0.1 in tests)", () => {
    const emulator = {
      ...valid,
      authority: "https://127.0.0.1:9443/{TenantId}/",
      metadataAddress: "https://127.0.0.1:9443/{TenantId}/v2.0/.well-known/openid-configuration",
    };
    expect(errorsOf(emulator)).toEqual({});
  });

  it("removes pasted whitespace and invisible Unicode from the thumbprint", () => {
    const parsed = entraAuthSettingsSchema.parse({
      ...valid,
      certificateThumbprint: "\u200Ba1 b2 c3 d4 e5 f6 a1 b2 c3 d4 e5 f6 a1 b2 c3 d4 e5 f6 a1 b2\uFEFF ",
    });
    expect(parsed.certificateThumbprint).toBe("A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4E5F6A1B2");
  });

  it("keeps API Audience and API Issuer optional: empty, Entra tokens are refused on the REST API", () => {
    expect(entraAuthSettingsSchema.parse(valid)).toMatchObject({ apiAudience: "", apiIssuer: "" });
    expect(
      entraAuthSettingsSchema.parse({ ...valid, apiAudience: " api://console ", apiIssuer: "https://login.microsoftonline.com/{TenantId}/v2.0" }),
    ).toMatchObject({
      apiAudience: "api://console",
      apiIssuer: "https://login.microsoftonline.com/{TenantId}/v2.0",
    });
  });

  it("refuses switching local sign-in off while Entra sign-in is off", () => {
    expect(errorsOf({ ...base, localSignInEnabled: false }).localSignInEnabled).toBeDefined();
    expect(errorsOf({ ...valid, localSignInEnabled: false }).localSignInEnabled).toBeUndefined();
  });
});

describe("durations, group mappings and roles", () => {
  it("parses hh:mm:ss and d.hh:mm:ss; 00:00:00 is zero", () => {
    expect(parseDuration("00:05:00")).toBe(300);
    expect(parseDuration("00:00:00")).toBe(0);
    expect(parseDuration("1.02:00:00")).toBe(93_600);
    expect(parseDuration("24:00:00")).toBeNull();
  });

  it("round-trips group role mappings and picks the highest role", () => {
    const text = "AAAAAAAA-0000-4000-8000-000000000001 = administrator\n\nbbbbbbbb-0000-4000-8000-000000000002=Viewer";
    const parsed = parseGroupRoles(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(formatGroupRoles(parsed.mappings)).toBe("aaaaaaaa-0000-4000-8000-000000000001 = Administrator\nbbbbbbbb-0000-4000-8000-000000000002 = Viewer");
    const map = new Map(parsed.mappings.map((m) => [m.groupId, m.role]));
    expect(roleForGroups(["bbbbbbbb-0000-4000-8000-000000000002", "AAAAAAAA-0000-4000-8000-000000000001"], map)).toBe("ADMINISTRATOR");
    expect(roleForGroups(["cccccccc-0000-4000-8000-000000000003"], map)).toBeNull();
    expect(parseGroupRoles("aaaaaaaa-0000-4000-8000-000000000001 = Owner").ok).toBe(false);
    for (const name of ["constructor", "__proto__", "toString"]) expect(parseGroupRoles(`aaaaaaaa-0000-4000-8000-000000000001 = ${name}`).ok, name).toBe(false);
  });
});

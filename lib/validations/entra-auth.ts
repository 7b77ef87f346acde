import { z } from "zod";
import { normalizeThumbprint } from "@/lib/crypto/certificates";
import { expandTenant, parseDuration, parseRequiredClaims } from "@/lib/auth/entra/settings-core";
import { configuredUrlRefusal } from "@/lib/net/outbound";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_SKEW_SECONDS = 3600;
const MAX_CACHE_SECONDS = 7 * 86_400;

const text = z.string().trim().max(2048, "At most 2048 characters");

export type GroupRoleMapping = { groupId: string; role: "ADMINISTRATOR" | "OPERATOR" | "VIEWER" };

// A Map, not an object literal: "constructor" or "__proto__" must not resolve to a role.
const ROLES = new Map<string, GroupRoleMapping["role"]>([
  ["administrator", "ADMINISTRATOR"],
  ["operator", "OPERATOR"],
  ["viewer", "VIEWER"],
]);

/** One mapping a line: `<group object id> = Administrator|Operator|Viewer`; blank lines ignored. */
export function parseGroupRoles(value: string): { ok: true; mappings: GroupRoleMapping[] } | { ok: false; error: string } {
  const mappings: GroupRoleMapping[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of value.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^([^=\s]+)\s*=\s*(\S+)$/.exec(line);
    const role = m ? ROLES.get(m[2]!.toLowerCase()) : undefined;
    if (!m || !GUID.test(m[1]!) || !role) {
      return { ok: false, error: `Line ${index + 1}: use <group object id> = Administrator, Operator or Viewer` };
    }
    const groupId = m[1]!.toLowerCase();
    if (seen.has(groupId)) return { ok: false, error: `Line ${index + 1}: group ${groupId} is mapped twice` };
    seen.add(groupId);
    mappings.push({ groupId, role });
  }
  return { ok: true, mappings };
}

export function formatGroupRoles(mappings: GroupRoleMapping[]): string {
  return mappings.map((m) => `${m.groupId} = ${m.role.charAt(0)}${m.role.slice(1).toLowerCase()}`).join("\n");
}

function requireUrl(value: string, ctx: z.RefinementCtx, path: string, label: string, called = true) {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: "custom", path: [path], message: `${label} must be a full URL such as https://login.microsoftonline.com/…` });
    return;
  }
  if (url.protocol !== "https:") {
    ctx.addIssue({ code: "custom", path: [path], message: `${label} must use https` });
    return;
  }
  if (!called) return;
  // The same outbound policy as every call to Microsoft (checked again on each connection: DNS can change after Apply).
  const refusal = configuredUrlRefusal(value);
  if (refusal) ctx.addIssue({ code: "custom", path: [path], message: `${label} is not allowed: ${refusal}` });
}

/**
 * Seed 001's fields. With Entra Authentication Enabled every other field is required and checked;
 * disabled, they are stored as typed and ignored (seed: "all other fields are ignored").
 */
export const entraAuthSettingsSchema = z
  .object({
    enabled: z.boolean(),
    tenantId: text,
    clientId: text,
    audience: text,
    issuer: text,
    authority: text,
    metadataAddress: text,
    requiredClaims: text,
    clockSkew: text,
    jwksCacheDuration: text,
    certificateThumbprint: z.string().max(512),
    groupCacheDuration: text,
    apiAudience: text,
    apiIssuer: text,
    groupRoles: z.string().max(20_000),
    localSignInEnabled: z.boolean(),
  })
  .transform((v) => {
    const thumb = normalizeThumbprint(v.certificateThumbprint);
    // Entra issues tid/oid as lower-case GUIDs; storing them lower-case keeps {TenantId} value matches exact.
    return {
      ...v,
      tenantId: GUID.test(v.tenantId) ? v.tenantId.toLowerCase() : v.tenantId,
      clientId: GUID.test(v.clientId) ? v.clientId.toLowerCase() : v.clientId,
      certificateThumbprint: thumb ?? v.certificateThumbprint.trim(),
    };
  })
  .superRefine((v, ctx) => {
    const groups = parseGroupRoles(v.groupRoles);
    if (!groups.ok) ctx.addIssue({ code: "custom", path: ["groupRoles"], message: groups.error });
    if (!v.localSignInEnabled && !v.enabled) {
      ctx.addIssue({
        code: "custom",
        path: ["localSignInEnabled"],
        message: "Keep local sign-in on until Entra Authentication is enabled, or nobody can sign in",
      });
    }
    if (!v.enabled) return;
    const required = [
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
    ] as const;
    for (const field of required) {
      if (!v[field].trim()) ctx.addIssue({ code: "custom", path: [field], message: "Required when Entra Authentication is enabled" });
    }
    if (v.tenantId && !GUID.test(v.tenantId))
      ctx.addIssue({ code: "custom", path: ["tenantId"], message: "Must be the tenant's GUID, such as 02990467-5131-4a63-9a88-b578f38d89ab" });
    if (v.clientId && !GUID.test(v.clientId)) ctx.addIssue({ code: "custom", path: ["clientId"], message: "Must be the Application (client) ID GUID" });
    for (const field of ["audience", "apiAudience"] as const) {
      if (v[field] && /\s/.test(v[field])) ctx.addIssue({ code: "custom", path: [field], message: "Must be a URI or GUID without spaces" });
    }
    const expand = (s: string) => expandTenant(s, v.tenantId);
    // The issuers are only compared with tokens; the authority and the metadata address are called.
    if (v.issuer) requireUrl(expand(v.issuer), ctx, "issuer", "Issuer", false);
    if (v.apiIssuer) requireUrl(expand(v.apiIssuer), ctx, "apiIssuer", "API Issuer", false);
    if (v.authority) {
      requireUrl(expand(v.authority), ctx, "authority", "Authority");
      if (!expand(v.authority).endsWith("/")) ctx.addIssue({ code: "custom", path: ["authority"], message: "Authority must end with /" });
    }
    if (v.metadataAddress) requireUrl(expand(v.metadataAddress), ctx, "metadataAddress", "Metadata Address");
    if (v.requiredClaims) {
      const claims = parseRequiredClaims(expand(v.requiredClaims));
      if (!claims.ok) ctx.addIssue({ code: "custom", path: ["requiredClaims"], message: claims.error });
    }
    const durations = [
      ["clockSkew", MAX_SKEW_SECONDS, "01:00:00"],
      ["jwksCacheDuration", MAX_CACHE_SECONDS, "7.00:00:00"],
      ["groupCacheDuration", MAX_CACHE_SECONDS, "7.00:00:00"],
    ] as const;
    for (const [field, max, maxText] of durations) {
      if (!v[field]) continue;
      const seconds = parseDuration(v[field]);
      if (seconds === null) ctx.addIssue({ code: "custom", path: [field], message: "Use hh:mm:ss, such as 00:05:00" });
      else if (seconds > max) ctx.addIssue({ code: "custom", path: [field], message: `At most ${maxText}` });
    }
    if (v.certificateThumbprint && !normalizeThumbprint(v.certificateThumbprint)) {
      ctx.addIssue({
        code: "custom",
        path: ["certificateThumbprint"],
        message: "Must be a SHA-1 (40 hex characters) or SHA-256 (64 hex characters) thumbprint",
      });
    }
  });

export type EntraAuthSettingsInput = z.input<typeof entraAuthSettingsSchema>;
export type EntraAuthSettingsValues = z.output<typeof entraAuthSettingsSchema>;

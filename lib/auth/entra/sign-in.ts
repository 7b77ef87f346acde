import "server-only";
import { recordAudit } from "@/lib/audit";
import { db } from "@/lib/db";
import type { AdminRole } from "@/lib/generated/prisma/enums";
import { newId } from "@/lib/ids";
import { callPolicy, entraFetch } from "@/lib/entra/http";
import { isJwksHostAllowed } from "@/lib/net/outbound";
import { appGraphToken, getDiscovery, readGroupIds, signInFailure } from "./client";
import { createEntraJwtValidator, type EntraJwtValidator, type JwtValidatorOptions } from "./jwt-validator";
import { roleForGroups } from "./roles";
import { findCertificate, loadEntraRuntime, type EntraRuntime } from "./settings";

/**
 * The metadata document and the JWKS are fetched like every call to Microsoft (lib/entra/http.ts): on the
 * guarded transport (https only, no loopback, private or metadata addresses unless OUTBOUND_ALLOW_HOSTS
 * lists them), with the sign-in policy's timeout and retries; a `jwks_uri` on another host than the
 * Metadata Address's is accepted only when that host is listed.
 */
const validatorOptions: JwtValidatorOptions = { fetch: entraFetch({ policy: callPolicy("sign_in"), flow: "discovery" }), allowJwksHost: isJwksHostAllowed };

// One validator per distinct settings, so its JWKS cache survives between requests and a settings
// change starts with a fresh cache.
const validators = new Map<string, EntraJwtValidator>();

/** `id`: sign-in's ID tokens (Audience, Issuer); `api`: the REST API's access tokens (API Audience, API Issuer). */
export function validatorFor(runtime: EntraRuntime, tokens: "id" | "api"): EntraJwtValidator {
  const s = runtime.settings;
  const config = {
    issuer: tokens === "api" ? s.apiIssuer : s.issuer,
    audience: tokens === "api" ? s.apiAudience : s.audience,
    metadataAddress: s.metadataAddress,
    requiredClaims: s.requiredClaims,
    clockSkewSeconds: s.clockSkewSeconds,
    jwksCacheSeconds: s.jwksCacheSeconds,
  };
  const key = JSON.stringify(config);
  let validator = validators.get(key);
  if (!validator) {
    if (validators.size > 8) validators.clear();
    validator = createEntraJwtValidator(config, validatorOptions);
    validators.set(key, validator);
  }
  return validator;
}

export type EntraSignInResult = { ok: true; adminId: string; email: string; name: string } | { ok: false; reason: string };

/**
 * Admits a user who came back from Microsoft: the ID token must pass seed 001's rules, belong to the
 * configured tenant, and the user must be in a group mapped to a role.
 */
export async function admitEntraUser(input: { idToken?: string; accessToken?: string; requestId?: string }): Promise<EntraSignInResult> {
  const refuse = async (reason: string, label = "entra", details: Record<string, string> = {}): Promise<EntraSignInResult> => {
    await recordAudit({
      action: "auth.sign_in.refused",
      actor: { type: "anonymous", label },
      requestId: input.requestId,
      details: { method: "entra", reason, ...details },
    });
    return { ok: false, reason };
  };
  const runtime = await loadEntraRuntime();
  if (!runtime) return refuse("entra_disabled");
  if (!input.idToken) return refuse("no_id_token");
  const result = await validatorFor(runtime, "id").validate(input.idToken);
  if (!result.ok) return refuse("invalid_id_token", "entra", { detail: result.reason });
  const { claims } = result;
  const label = typeof claims.preferred_username === "string" ? claims.preferred_username : String(claims.oid ?? "entra");
  // Only the configured tenant, whatever the Required Claims say.
  if (claims.tid !== runtime.settings.tenantId) return refuse("wrong_tenant", label, { tid: String(claims.tid ?? "") });
  if (typeof claims.oid !== "string" || !claims.oid) return refuse("no_object_id", label);
  if (!input.accessToken) return refuse("no_access_token", label);

  let groupIds: string[];
  try {
    groupIds = await readGroupIds(await getDiscovery(runtime.settings.metadataAddress), input.accessToken);
  } catch (e) {
    return refuse("groups_unavailable", label, signInFailure(e));
  }
  const role = roleForGroups(groupIds, runtime.groupRoles);
  if (!role) return refuse("no_role", label);

  const oid = claims.oid.toLowerCase();
  const email = label.toLowerCase();
  const name = typeof claims.name === "string" ? claims.name : email;
  const data = { name, role, entraGroupIds: JSON.stringify(groupIds), entraGroupsAt: new Date(), lastSignInAt: new Date() };
  let admin = await db.adminUser.findUnique({ where: { entraObjectId: oid } });
  if (admin) {
    admin = await db.adminUser.update({ where: { id: admin.id }, data });
  } else {
    // A local account with the same sign-in name (in our own tenant) is the same person: link it.
    const local = await db.adminUser.findUnique({ where: { email } });
    admin =
      local && !local.entraObjectId
        ? await db.adminUser.update({ where: { id: local.id }, data: { ...data, entraObjectId: oid } })
        : await db.adminUser.create({ data: { id: newId(), email: local ? `${oid}@entra` : email, ...data, entraObjectId: oid } });
  }
  if (admin.disabled) return refuse("disabled", label);
  await recordAudit({
    action: "auth.sign_in.succeeded",
    actor: { type: "admin", id: admin.id, label: admin.email },
    target: { type: "admin", id: admin.id },
    requestId: input.requestId,
    details: { method: "entra", role },
  });
  return { ok: true, adminId: admin.id, email: admin.email, name };
}

/**
 * The role of an Entra admin, re-read from Graph once the Entra Group Cache Duration has passed
 * (app-only token with the certificate). Null when the groups cannot be read or map to no role:
 * the session then ends and the next sign-in reads them with the user's own token.
 */
export async function currentEntraRole(admin: { id: string; role: AdminRole; entraObjectId: string; entraGroupsAt: Date | null }): Promise<AdminRole | null> {
  const runtime = await loadEntraRuntime();
  if (!runtime) return null;
  const ttl = runtime.settings.groupCacheSeconds * 1000;
  if (admin.entraGroupsAt && ttl > 0 && Date.now() - admin.entraGroupsAt.getTime() < ttl) return admin.role;
  try {
    const cert = await findCertificate(runtime.settings.certificateThumbprint);
    if (!cert.ok) return null;
    const doc = await getDiscovery(runtime.settings.metadataAddress);
    const token = await appGraphToken(doc, runtime.settings.clientId, cert.certificate);
    const groupIds = await readGroupIds(doc, token, admin.entraObjectId);
    const role = roleForGroups(groupIds, runtime.groupRoles);
    await db.adminUser.update({
      where: { id: admin.id },
      data: { entraGroupIds: JSON.stringify(groupIds), entraGroupsAt: new Date(), ...(role ? { role } : {}) },
    });
    return role;
  } catch {
    return null;
  }
}

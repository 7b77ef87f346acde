import "server-only";
import { db } from "@/lib/db";
import { classifyFailure, failureFromTokenResponse } from "@/lib/entra/classify";
import { cloudEndpoints, cloudNames, type CloudEndpoints, type CloudId } from "@/lib/entra/clouds";
import { callPolicy, EntraCallError, sendWithRetry, type RetryPolicy } from "@/lib/entra/http";
import { endpointsOf } from "@/lib/provider/settings";
import { isGuid } from "@/lib/validations/tenant";

/**
 * A domain (contoso.onmicrosoft.com or a verified custom domain) to its Entra tenant id, from the tenant's
 * v2.0 OpenID configuration at the cloud's authority host: a tenant-specific document names the tenant's
 * GUID in `issuer` (`https://{host}/{tenant id}/v2.0`); an unknown domain is AADSTS90002.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
 * (entra.md A2.2). Nothing is signed in and no app is needed: the document is public.
 */
export type DomainResolution = { ok: true; tenantId: string } | { ok: false; reason: "not_found" | "unavailable"; message: string };

/** The authority host of a cloud: a known cloud's own; the Custom cloud's from its default app registration. */
export async function authorityEndpoints(cloud: CloudId): Promise<CloudEndpoints | null> {
  if (cloud !== "CUSTOM") return cloudEndpoints(cloud);
  const custom = await db.appRegistration.findFirst({ where: { defaultForCloud: "CUSTOM" } });
  return custom ? endpointsOf(custom) : null;
}

export async function resolveTenantDomain(domain: string, cloud: CloudId, policy: RetryPolicy = callPolicy("lookup")): Promise<DomainResolution> {
  const endpoints = await authorityEndpoints(cloud);
  if (!endpoints) return { ok: false, reason: "unavailable", message: `${cloudNames[cloud]} has no app registration that names its authority host.` };
  const url = `${endpoints.loginBase}/${encodeURIComponent(domain)}/v2.0/.well-known/openid-configuration`;
  let res;
  try {
    res = await sendWithRetry({ kind: "discovery", flow: "discovery", method: "GET", url, policy });
  } catch (e) {
    if (e instanceof EntraCallError) return { ok: false, reason: "unavailable", message: `${endpoints.loginHost} could not be reached.` };
    throw e;
  }
  if (res.status !== 200) {
    const failure = failureFromTokenResponse({ flow: "discovery", endpoint: url, status: res.status, headers: res.headers, body: res.body });
    if (classifyFailure(failure) === "TENANT_NOT_FOUND")
      return { ok: false, reason: "not_found", message: `No Entra tenant in ${cloudNames[cloud]} has the domain ${domain}.` };
    return { ok: false, reason: "unavailable", message: `${endpoints.loginHost} answered HTTP ${res.status}.` };
  }
  const issuer = (res.body as Record<string, unknown> | null)?.issuer;
  const tenantId = typeof issuer === "string" ? issuerTenant(issuer) : null;
  if (!tenantId) return { ok: false, reason: "unavailable", message: `${endpoints.loginHost} answered without a tenant id in its issuer.` };
  return { ok: true, tenantId };
}

/** The GUID of `https://{host}/{tenant id}/v2.0`, lower case; null for anything else (e.g. `{tenantid}`). */
export function issuerTenant(issuer: string): string | null {
  let segment: string | undefined;
  try {
    segment = new URL(issuer).pathname.split("/")[1];
  } catch {
    return null;
  }
  return segment && isGuid(segment) ? segment.toLowerCase() : null;
}

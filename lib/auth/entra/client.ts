import "server-only";
import { createPrivateKey, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { classifyFailure, failureFromGraphResponse, failureFromTokenResponse } from "@/lib/entra/classify";
import { callPolicy, EntraCallError, sendWithRetry, type SendResult } from "@/lib/entra/http";
import type { ReasonCode } from "@/lib/entra/reasons";
import type { SigningCertificate } from "./settings";

/**
 * Talking to Entra as the sign-in app: the discovery document behind the Metadata Address, the
 * certificate client assertion, an app-only Graph token and group membership. Every call goes through
 * lib/entra/http.ts with the sign-in policy (someone waits at the sign-in page), and a failed one throws
 * EntraCallError with what Microsoft answered, classified like verification's (`signInFailure`).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials
 */

export type Discovery = { issuer: string; authorization_endpoint: string; token_endpoint: string; jwks_uri: string; msgraph_host?: string };

const DISCOVERY_TTL_MS = 10 * 60 * 1000;
const policy = callPolicy("sign_in");
const discoveryCache = new Map<string, { at: number; doc: Discovery }>();

export async function getDiscovery(metadataAddress: string): Promise<Discovery> {
  const hit = discoveryCache.get(metadataAddress);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.doc;
  const response = await sendWithRetry({ kind: "discovery", flow: "discovery", method: "GET", url: metadataAddress, policy });
  if (response.status !== 200)
    throw new EntraCallError(
      failureFromTokenResponse({
        flow: "discovery",
        endpoint: response.trace.endpoint,
        status: response.status,
        headers: response.headers,
        body: response.body,
        attempts: response.trace.attempts.length,
      }),
    );
  const doc = response.body as Discovery;
  if (typeof doc.issuer !== "string" || typeof doc.token_endpoint !== "string" || typeof doc.authorization_endpoint !== "string") {
    throw new EntraCallError({ flow: "discovery", kind: "config", endpoint: response.trace.endpoint, libraryCode: "not_a_discovery_document" });
  }
  discoveryCache.set(metadataAddress, { at: Date.now(), doc });
  return doc;
}

/** Graph follows the configured cloud: the discovery document names its host (msgraph_host). */
export function graphBaseUrl(doc: Discovery): string {
  return `https://${doc.msgraph_host ?? "graph.microsoft.com"}`;
}

/** A client assertion signed with the certificate; Entra finds the key by the `x5t` header (SHA-1, base64url). */
export async function clientAssertion(clientId: string, tokenEndpoint: string, certificate: SigningCertificate): Promise<string> {
  const x5t = Buffer.from(certificate.thumbprintSha1, "hex").toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", x5t })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenEndpoint)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 600)
    .sign(createPrivateKey(certificate.privateKeyPem));
}

export async function appGraphToken(doc: Discovery, clientId: string, certificate: SigningCertificate): Promise<string> {
  const body = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: clientId,
    scope: `${graphBaseUrl(doc)}/.default`,
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: await clientAssertion(clientId, doc.token_endpoint, certificate),
  });
  const response = await sendWithRetry({
    kind: "token",
    flow: "client_credentials",
    method: "POST",
    url: doc.token_endpoint,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: body.toString(),
    policy,
  });
  const json = response.body as { access_token?: string };
  if (response.status !== 200 || !json.access_token) {
    throw new EntraCallError(
      failureFromTokenResponse({
        flow: "client_credentials",
        endpoint: response.trace.endpoint,
        status: response.status,
        headers: response.headers,
        body: response.body,
        attempts: response.trace.attempts.length,
      }),
    );
  }
  return json.access_token;
}

/** Group object ids of a user (`/me/memberOf` with a delegated token, or `/users/{oid}/memberOf` with an app token). */
export async function readGroupIds(doc: Discovery, accessToken: string, userObjectId?: string): Promise<string[]> {
  const path = userObjectId ? `/v1.0/users/${encodeURIComponent(userObjectId)}/memberOf` : "/v1.0/me/memberOf";
  let url: string | undefined = `${graphBaseUrl(doc)}${path}?$select=id&$top=999`;
  const ids: string[] = [];
  for (let page = 0; url && page < 20; page++) {
    const response: SendResult = await sendWithRetry({
      kind: "graph",
      flow: "graph",
      method: "GET",
      url,
      headers: { authorization: `Bearer ${accessToken}` },
      policy,
    });
    if (response.status !== 200) {
      throw new EntraCallError(
        failureFromGraphResponse({
          endpoint: response.trace.endpoint,
          status: response.status,
          headers: response.headers,
          body: response.body,
          attempts: response.trace.attempts.length,
        }),
      );
    }
    const json = response.body as { value?: { id?: string; "@odata.type"?: string }[]; "@odata.nextLink"?: string };
    for (const item of json.value ?? []) {
      if (typeof item.id === "string" && (!item["@odata.type"] || item["@odata.type"] === "#microsoft.graph.group")) ids.push(item.id.toLowerCase());
    }
    url = json["@odata.nextLink"];
  }
  return ids;
}

/**
 * Why a call of sign-in failed, named as verification names it: the reason from the error codes
 * (lib/entra/classify.ts) and the AADSTS codes, for the audit and the sign-in page.
 */
export function signInFailure(e: unknown): { entraReason: ReasonCode; codes: string } {
  if (!(e instanceof EntraCallError)) return { entraReason: "UNKNOWN", codes: "" };
  return { entraReason: classifyFailure(e.failure), codes: (e.failure.errorCodes ?? []).join(",") };
}

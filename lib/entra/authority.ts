import "server-only";
import type { CloudEndpoints } from "./clouds";
import { failureFromTokenResponse } from "./classify";
import { EntraCallError, sendWithRetry, type RetryPolicy } from "./http";

/**
 * The OpenID configuration of each authority host, fetched once per host per process and handed to
 * every msal-node client as `authorityMetadata`. Without it each client resolves it on its first
 * request, and N concurrent first requests resolve it N times.
 * msal-node swaps the tenant segment of these endpoints for the request's authority.
 * @see https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/dev/lib/msal-common/docs/performance.md
 */

type Metadata = { json: string; fetchedAt: number };

const METADATA_TTL_MS = 24 * 60 * 60 * 1000;
/** A host that just failed is not asked again for every tenant of a run: the failure is reused briefly. */
const FAILURE_TTL_MS = 30_000;
const byHost = new Map<string, Metadata>();
const inFlight = new Map<string, Promise<Metadata>>();
const failures = new Map<string, { error: unknown; at: number }>();

export async function authorityMetadata(endpoints: CloudEndpoints, policy: RetryPolicy, signal?: AbortSignal): Promise<string> {
  const host = endpoints.loginHost;
  const cached = byHost.get(host);
  if (cached && Date.now() - cached.fetchedAt < METADATA_TTL_MS) return cached.json;
  const failed = failures.get(host);
  if (failed && Date.now() - failed.at < FAILURE_TTL_MS) throw failed.error;
  let pending = inFlight.get(host);
  if (!pending) {
    pending = fetchMetadata(endpoints, policy, signal)
      .catch((error: unknown) => {
        if (error instanceof EntraCallError) failures.set(host, { error, at: Date.now() });
        throw error;
      })
      .finally(() => inFlight.delete(host));
    inFlight.set(host, pending);
  }
  return (await pending).json;
}

async function fetchMetadata(endpoints: CloudEndpoints, policy: RetryPolicy, signal?: AbortSignal): Promise<Metadata> {
  // `organizations` rather than `common`: work and school accounts only, which is what every flow here uses.
  const url = `${endpoints.loginBase}/organizations/v2.0/.well-known/openid-configuration`;
  const res = await sendWithRetry({ kind: "discovery", flow: "discovery", method: "GET", url, policy, signal });
  const body = res.body as Record<string, unknown>;
  if (res.status !== 200 || typeof body.token_endpoint !== "string" || typeof body.authorization_endpoint !== "string") {
    throw new EntraCallError(failureFromTokenResponse({ flow: "discovery", endpoint: url, status: res.status, headers: res.headers, body: res.body }));
  }
  const metadata = { json: JSON.stringify(body), fetchedAt: Date.now() };
  byHost.set(endpoints.loginHost, metadata);
  return metadata;
}

export function clearAuthorityMetadata() {
  byHost.clear();
  failures.clear();
}

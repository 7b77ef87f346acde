import "server-only";
import { randomUUID } from "node:crypto";
import { decryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { callPolicy } from "@/lib/entra/http";
import { serveDelegatedToken, type TokenFailure, type TokenSuccess } from "@/lib/entra/msal-clients";
import { REFRESH_TOKEN_INACTIVITY_MS, refreshTokenExpiry } from "@/lib/methods/auth-token";
import { earliest } from "@/lib/methods/method";
import type { TokenSetup } from "@/lib/verification/check";
import { saveRotatedCache } from "@/lib/verification/store";

/**
 * Delegated access tokens of an auth-token tenant, from its stored MSAL cache. While the cached access
 * token is valid it is served without a call to Microsoft. When it is not, exactly one holder redeems the
 * refresh token (which rotates) and stores the new cache, across every console instance:
 *
 * - in a process, concurrent requests for the same tenant and scopes share one flight;
 * - across processes, the redeemer holds a lease on the credential row, taken with one compare-and-set
 *   (`refreshLockedBy`/`refreshLockedUntil`, and the row's `version`, so a lease is only taken on the cache
 *   just read). The others wait until the version moves (the new cache is stored) or the lease lapses, then
 *   read again: the new cache holds the new access token.
 *
 * The stored cache is written by `saveRotatedCache` (lib/verification/store.ts), as verification does.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens
 */

export const LEASE_MS = 30_000;
const POLL_MS = 50;

export type DelegatedServed = (TokenSuccess & { fromCache: boolean; scopes: string[] }) | TokenFailure;

const flights = new Map<string, Promise<DelegatedServed>>();

/** Counts of what the broker did in this process (tests and the benchmark read them). */
export const delegatedStats = { refreshes: 0, waits: 0 };

export function serveDelegated(credentialId: string, setup: TokenSetup, scopes: string[], signal?: AbortSignal): Promise<DelegatedServed> {
  const key = `${credentialId}|${scopes
    .map((s) => s.toLowerCase())
    .sort()
    .join(" ")}`;
  const existing = flights.get(key);
  if (existing) return existing;
  const p = serve(credentialId, setup, scopes, signal).finally(() => flights.delete(key));
  flights.set(key, p);
  return p;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readCredential(id: string) {
  const row = await db.tenantCredential.findUnique({
    where: { id },
    select: { id: true, kind: true, label: true, expiresAt: true, version: true, secret: true, refreshLockedUntil: true },
  });
  if (!row) return null;
  const cacheJson = decryptSecret(row.secret, { table: "TenantCredential", rowId: row.id, field: "secret" });
  return { ...row, cacheJson };
}

const noCredential = (): TokenFailure => ({
  ok: false,
  failure: { flow: "refresh_token", kind: "config", libraryCode: "no_credential" },
  ms: 0,
});

/** Without the in-process flight, as separate console instances would call it (tests show the lease alone holds). */
export async function serveDelegatedUnshared(credentialId: string, setup: TokenSetup, scopes: string[], signal?: AbortSignal): Promise<DelegatedServed> {
  return serve(credentialId, setup, scopes, signal);
}

async function serve(credentialId: string, setup: TokenSetup, scopes: string[], signal?: AbortSignal): Promise<DelegatedServed> {
  const call = {
    endpoints: setup.endpoints,
    clientId: setup.app.clientId,
    credential: setup.app.credential,
    tenant: setup.authority,
    policy: callPolicy("sign_in"),
    signal,
    scopes,
  };
  const giveUpAt = Date.now() + LEASE_MS + 5_000;
  for (;;) {
    const cred = await readCredential(credentialId);
    if (!cred) return noCredential();
    const cached = await serveDelegatedToken({ ...call, cacheJson: cred.cacheJson, homeAccountId: cred.label, cacheOnly: true });
    if (cached.ok || !("cacheMiss" in cached)) return cached;

    const holder = randomUUID();
    const now = new Date();
    const { count } = await db.tenantCredential.updateMany({
      where: { id: credentialId, version: cred.version, OR: [{ refreshLockedUntil: null }, { refreshLockedUntil: { lt: now } }] },
      data: { refreshLockedBy: holder, refreshLockedUntil: new Date(now.getTime() + LEASE_MS) },
    });
    if (count === 1) return redeem(cred, holder, call);

    // Another instance holds the lease (or just stored a new cache): wait for its result.
    delegatedStats.waits++;
    if (Date.now() > giveUpAt) {
      return { ok: false, failure: { flow: "refresh_token", kind: "server", error: "temporarily_unavailable", libraryCode: "refresh_lease_busy" }, ms: 0 };
    }
    signal?.throwIfAborted();
    await sleep(POLL_MS);
  }
}

async function redeem(
  cred: NonNullable<Awaited<ReturnType<typeof readCredential>>>,
  holder: string,
  call: Omit<Parameters<typeof serveDelegatedToken>[0], "cacheJson" | "homeAccountId" | "cacheOnly">,
): Promise<DelegatedServed> {
  try {
    delegatedStats.refreshes++;
    const r = await serveDelegatedToken({ ...call, cacheJson: cred.cacheJson, homeAccountId: cred.label, cacheOnly: false });
    if (!r.ok) return "cacheMiss" in r ? noCredential() : r;
    if (!r.fromCache) {
      // As verification does (lib/methods/auth-token.ts): the new refresh token restarts the inactivity window.
      const home = r.account?.homeAccountId ?? cred.label;
      const deadline = earliest(new Date(Date.now() + REFRESH_TOKEN_INACTIVITY_MS), refreshTokenExpiry(r.cacheJson, home))!;
      await saveRotatedCache({ ...cred, secret: () => cred.cacheJson }, r.cacheJson, home, deadline, { holder });
    }
    const { cacheJson, ...served } = r;
    void cacheJson;
    return served;
  } finally {
    await db.tenantCredential.updateMany({ where: { id: cred.id, refreshLockedBy: holder }, data: { refreshLockedBy: null, refreshLockedUntil: null } });
  }
}

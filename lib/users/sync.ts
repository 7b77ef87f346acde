import "server-only";
import { classifyFailure, type EntraFailure } from "@/lib/entra/classify";
import type { CloudEndpoints } from "@/lib/entra/clouds";
import { graphGet, type GraphGetResult } from "@/lib/entra/graph";
import type { RetryPolicy } from "@/lib/entra/http";
import { reasons, type ReasonCode } from "@/lib/entra/reasons";
import { runCheck } from "@/lib/verification/engine";
import { endpointsFor } from "@/lib/verification/check";
import { choiceFor, loadRegistrations, loadTenant } from "@/lib/verification/store";
import { claimSync, completeSync, endSync, heartbeat, nextGeneration, SyncFencedError, writeUserPage, type SyncedUser } from "./store";

/**
 * One tenant's user sync (source 004's "Synchronize" of the lookup list "Users - <connector>").
 *
 * - Sign-in: the tenant's verification check (lib/verification/check.ts) acquires the token the way
 *   the tenant's method works and probes Graph; a failure there is the sync's failure, with the check's
 *   reason. The check's token is then used for the pages.
 * - Full sync: first `GET /users/delta?$select=…&$deltatoken=latest` ("sync from now": a deltaLink and no
 *   users), then `GET /users?$select=…&$top=999`, following `@odata.nextLink` verbatim. The deltaLink
 *   is taken before the listing, so a change made while the listing runs comes again with the next
 *   delta (applying it twice is harmless). `/users/delta` itself ignores `$top` and sends at most 200
 *   users a page, five times the round trips of the listing for the same users.
 * - Incremental sync: follows the stored deltaLink; changed users are upserted, `@removed` ones deleted,
 *   and the new deltaLink is stored. A refused deltaLink (410 Gone, or 400 syncStateNotFound and the
 *   other sync-state codes) falls back to a full sync.
 * - Pages are streamed: the next page is requested before the current one is written, and each page
 *   is written in one transaction (./store.ts), so at most two pages are held at a time whatever the
 *   tenant's size. A full sync numbers its generation; users it did not see are removed when it completes.
 * - Retry-After (429/503) and 5xx backoff: lib/entra/http.ts under the verification call policy.
 * - Cancel: the job engine's signal aborts the call in flight (or a Retry-After wait); the list keeps
 *   what was written, the previous delta link stays.
 * @see https://learn.microsoft.com/en-us/graph/delta-query-users
 * @see https://learn.microsoft.com/en-us/graph/delta-query-overview
 * @see https://learn.microsoft.com/en-us/graph/paging
 */

export const USER_SELECT = "id,userPrincipalName,displayName,mail,accountEnabled,userType";
export const PAGE_SIZE = 999;
const HEARTBEAT_MS = 2_000;

/** Sync-state errors of a refused delta or skip token: start again with a full sync. */
const RESYNC_CODES = new Set(["syncStateNotFound", "syncStateInvalid", "resyncRequired", "resyncApplicationRequired", "resyncChangesApplied"]);

export type UserSyncResult =
  | { tenantId: string; status: "SUCCEEDED"; mode: "full" | "delta"; userCount: number; pages: number; fellBack: boolean }
  | { tenantId: string; status: "FAILED"; reasonCode: ReasonCode; message: string }
  | { tenantId: string; status: "BUSY" | "GONE" };

export type SyncOptions = { runId: string; policy: RetryPolicy; signal: AbortSignal; onRetry?: (info: { waitMs: number }) => void };

type Page = { users: SyncedUser[]; removed: string[]; nextLink?: string; deltaLink?: string };

class PageFailure extends Error {
  constructor(readonly result: Extract<GraphGetResult, { ok: false }>) {
    super("Graph page failed");
  }
}

function isResync(r: Extract<GraphGetResult, { ok: false }>) {
  return r.status === 410 || (r.graphCode !== undefined && RESYNC_CODES.has(r.graphCode));
}

/**
 * A page's users and removals. Graph may send an object more than once in a delta round; within a page
 * the last mention wins (a user removed then restored is upserted, and the other way round).
 */
export function readPage(body: unknown): Page {
  const b = (body ?? {}) as { value?: unknown; "@odata.nextLink"?: unknown; "@odata.deltaLink"?: unknown };
  const last = new Map<string, SyncedUser | null>();
  for (const raw of Array.isArray(b.value) ? (b.value as Record<string, unknown>[]) : []) {
    if (typeof raw?.id !== "string") continue;
    last.delete(raw.id);
    if (raw["@removed"]) {
      last.set(raw.id, null);
      continue;
    }
    const u: SyncedUser = { id: raw.id };
    if (typeof raw.userPrincipalName === "string") u.userPrincipalName = raw.userPrincipalName;
    if ("displayName" in raw) u.displayName = typeof raw.displayName === "string" ? raw.displayName : null;
    if ("mail" in raw) u.mail = typeof raw.mail === "string" ? raw.mail : null;
    if ("accountEnabled" in raw) u.accountEnabled = typeof raw.accountEnabled === "boolean" ? raw.accountEnabled : null;
    if ("userType" in raw) u.userType = typeof raw.userType === "string" ? raw.userType : null;
    last.set(raw.id, u);
  }
  const users: SyncedUser[] = [];
  const removed: string[] = [];
  for (const [id, u] of last) {
    if (u) users.push(u);
    else removed.push(id);
  }
  return {
    users,
    removed,
    nextLink: typeof b["@odata.nextLink"] === "string" ? b["@odata.nextLink"] : undefined,
    deltaLink: typeof b["@odata.deltaLink"] === "string" ? b["@odata.deltaLink"] : undefined,
  };
}

function failed(tenantId: string, code: ReasonCode, message?: string): UserSyncResult {
  return { tenantId, status: "FAILED", reasonCode: code, message: message ?? reasons[code].title };
}

function failureOf(tenantId: string, f: EntraFailure): UserSyncResult {
  const code = classifyFailure(f);
  return failed(tenantId, code, f.refusal ? `${reasons[code].title}: ${f.refusal}` : undefined);
}

/** Synchronizes one tenant's users for a run of the job engine (./job.ts). */
export async function syncTenantUsers(tenantId: string, o: SyncOptions): Promise<UserSyncResult> {
  const claim = await claimSync(tenantId, o.runId);
  if (claim === "gone") return { tenantId, status: "GONE" };
  if (!claim) return { tenantId, status: "BUSY" };
  const beat = setInterval(() => void heartbeat(tenantId, o.runId).catch(() => {}), HEARTBEAT_MS);
  beat.unref();
  try {
    const result = await run(tenantId, claim.deltaLink, claim.generation, o);
    if (result.status === "FAILED") await endSync(tenantId, o.runId, { status: "FAILED", reasonCode: result.reasonCode, message: result.message });
    return result;
  } catch (e) {
    if (o.signal.aborted || e instanceof SyncFencedError) {
      // Cancelled (or taken over): the list keeps the pages written so far, the delta link stays.
      await endSync(tenantId, o.runId, { status: "CANCELLED", reasonCode: null, message: "Cancelled" }).catch(() => {});
      throw e;
    }
    await endSync(tenantId, o.runId, { status: "FAILED", reasonCode: "UNKNOWN", message: reasons.UNKNOWN.title }).catch(() => {});
    throw e;
  } finally {
    clearInterval(beat);
  }
}

async function run(tenantId: string, deltaLink: string | null, generation: number, o: SyncOptions): Promise<UserSyncResult> {
  const [loaded, registrations] = await Promise.all([loadTenant(tenantId), loadRegistrations()]);
  if (!loaded) return { tenantId, status: "GONE" };
  let token: string | null = null;
  const outcome = await runCheck(loaded, registrations, { policy: o.policy, signal: o.signal, onGraphToken: (t) => (token = t) });
  if (o.signal.aborted) throw new SyncFencedError();
  if (outcome.status === "FAILED" || token === null) return failed(tenantId, outcome.reasonCode, outcome.message);
  // The same hosts the check just used: the tenant's registration's cloud (or its own app's).
  const endpoints = endpointsFor(loaded.tenant, choiceFor(loaded.tenant, registrations));
  const ctx = { tenantId, endpoints, token: token as string, o, users: 0, pages: 0 };
  // A delta link of another Graph host (the tenant's cloud or the custom host changed) cannot be followed.
  if (deltaLink && !sameOrigin(deltaLink, endpoints.graphBase)) deltaLink = null;

  let fellBack = false;
  if (deltaLink) {
    try {
      const last = await stream(ctx, deltaLink, generation);
      if (!last.deltaLink) return failed(tenantId, "UNKNOWN", "Graph ended the delta round without a delta link");
      const userCount = await completeSync(tenantId, o.runId, {
        mode: "delta",
        generation,
        deltaLink: last.deltaLink,
        progressUsers: ctx.users,
        progressPages: ctx.pages,
      });
      return { tenantId, status: "SUCCEEDED", mode: "delta", userCount, pages: ctx.pages, fellBack };
    } catch (e) {
      if (!(e instanceof PageFailure) || !isResync(e.result)) return rethrowOrFail(tenantId, e);
      fellBack = true;
      ctx.users = 0;
      ctx.pages = 0;
    }
  }
  try {
    const base = endpoints.graphBase;
    const latest = await fetchPage(ctx, `${base}/v1.0/users/delta?$select=${USER_SELECT}&$deltatoken=latest`);
    if (!latest.deltaLink) return failed(tenantId, "UNKNOWN", "Graph answered no delta link");
    const full = await nextGeneration(tenantId, o.runId);
    await stream(ctx, `${base}/v1.0/users?$select=${USER_SELECT}&$top=${PAGE_SIZE}`, full);
    const userCount = await completeSync(tenantId, o.runId, {
      mode: "full",
      generation: full,
      deltaLink: latest.deltaLink,
      progressUsers: ctx.users,
      progressPages: ctx.pages,
    });
    return { tenantId, status: "SUCCEEDED", mode: "full", userCount, pages: ctx.pages, fellBack };
  } catch (e) {
    return rethrowOrFail(tenantId, e);
  }
}

function sameOrigin(link: string, base: string) {
  try {
    return new URL(link).origin === new URL(base).origin;
  } catch {
    return false;
  }
}

function rethrowOrFail(tenantId: string, e: unknown): UserSyncResult {
  if (e instanceof PageFailure) return failureOf(tenantId, e.result.failure);
  throw e;
}

type Ctx = { tenantId: string; endpoints: CloudEndpoints; token: string; o: SyncOptions; users: number; pages: number };

async function fetchPage(ctx: Ctx, url: string): Promise<Page> {
  const r = await graphGet(ctx.endpoints, ctx.token, url, { policy: ctx.o.policy, signal: ctx.o.signal, onRetry: ctx.o.onRetry });
  if (!r.ok) throw new PageFailure(r);
  return readPage(r.body);
}

/**
 * Follows links from `first` to the last page, writing each page in one transaction while the next one
 * is on its way; returns the last page (its deltaLink, for a delta round).
 */
async function stream(ctx: Ctx, first: string, generation: number): Promise<Page> {
  let inFlight: Promise<Page> | null = fetchPage(ctx, first);
  let last: Page | null = null;
  while (inFlight) {
    const page: Page = await inFlight;
    inFlight = page.nextLink ? fetchPage(ctx, page.nextLink) : null;
    // Awaited at the next turn; until then a failure of it must not count as unhandled.
    inFlight?.catch(() => {});
    // Give the request a turn of the event loop to leave before a synchronous (SQLite) write.
    if (inFlight) await new Promise((r) => setImmediate(r));
    ctx.pages++;
    ctx.users += page.users.length + page.removed.length;
    await writeUserPage({
      tenantId: ctx.tenantId,
      runId: ctx.o.runId,
      generation,
      users: page.users,
      removed: page.removed,
      progressUsers: ctx.users,
      progressPages: ctx.pages,
    });
    last = page;
  }
  return last!;
}

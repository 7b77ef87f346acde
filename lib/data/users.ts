import "server-only";
import { db, containsInsensitive } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Page } from "@/lib/pagination";
import { userSyncSlot } from "@/lib/users/slot";

/** A tenant's synchronized users (the Users tab, GET /tenants/{id}/users) and its sync state, as DTOs. */

export type TenantUserItem = {
  id: string;
  userPrincipalName: string;
  displayName: string | null;
  mail: string | null;
  accountEnabled: boolean | null;
  userType: string | null;
};

export type UserSyncState = {
  status: "NEVER" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
  userCount: number;
  lastSyncAt: Date | null;
  lastSyncMode: "full" | "delta" | null;
  reasonCode: string | null;
  message: string | null;
  /** The job run syncing the tenant now. */
  runId: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Users (changes, for a delta) and Graph pages read by the sync in progress, or the last one. */
  progressUsers: number;
  progressPages: number;
};

const NEVER: UserSyncState = {
  status: "NEVER",
  userCount: 0,
  lastSyncAt: null,
  lastSyncMode: null,
  reasonCode: null,
  message: null,
  runId: null,
  startedAt: null,
  finishedAt: null,
  progressUsers: 0,
  progressPages: 0,
};

/**
 * The tenant's sync state. A sync started but not yet picked up by a process (PostgreSQL hands the run to
 * whichever instance claims it) is RUNNING already, with its run's id.
 */
export async function getUserSyncState(tenantId: string): Promise<UserSyncState> {
  const [state, queued] = await Promise.all([
    readState(tenantId),
    db.jobRun.findUnique({ where: { activeSlot: userSyncSlot(tenantId) }, select: { id: true } }),
  ]);
  if (queued && state.status !== "RUNNING")
    return { ...state, status: "RUNNING", runId: queued.id, progressUsers: 0, progressPages: 0, startedAt: null, finishedAt: null };
  return state;
}

async function readState(tenantId: string): Promise<UserSyncState> {
  const row = await db.tenantUserSync.findUnique({
    where: { tenantId },
    select: {
      status: true,
      userCount: true,
      lastSyncAt: true,
      lastSyncMode: true,
      reasonCode: true,
      message: true,
      runId: true,
      startedAt: true,
      finishedAt: true,
      progressUsers: true,
      progressPages: true,
    },
  });
  if (!row) return NEVER;
  return { ...row, lastSyncMode: row.lastSyncMode === "full" || row.lastSyncMode === "delta" ? row.lastSyncMode : null };
}

export type TenantUserQuery = { q?: string; page: number; pageSize: number };

/** One page of the tenant's users by UPN, searched in UPN, display name and mail (case-insensitive). */
export async function listTenantUsers(tenantId: string, query: TenantUserQuery): Promise<Page<TenantUserItem>> {
  const q = query.q?.trim();
  const where: Prisma.TenantUserWhereInput = q
    ? { tenantId, OR: [{ userPrincipalName: containsInsensitive(q) }, { displayName: containsInsensitive(q) }, { mail: containsInsensitive(q) }] }
    : { tenantId };
  const [total, items] = await Promise.all([
    db.tenantUser.count({ where }),
    db.tenantUser.findMany({
      where,
      orderBy: [{ userPrincipalName: "asc" }, { id: "asc" }],
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
      select: { id: true, userPrincipalName: true, displayName: true, mail: true, accountEnabled: true, userType: true },
    }),
  ]);
  return { items, total, page: query.page, pageSize: query.pageSize };
}

/** What the Users tab shows of the tenant itself. */
export async function getTenantHeading(tenantId: string) {
  return db.tenant.findUnique({
    where: { id: tenantId },
    select: { id: true, customerId: true, displayName: true, primaryDomain: true, entraTenantId: true, lastStatus: true },
  });
}

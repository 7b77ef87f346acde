import type { UserSyncState } from "@/lib/data/users";

/** The sync state as the browser gets it: dates as ISO strings. */
export type SyncView = Omit<UserSyncState, "lastSyncAt" | "startedAt" | "finishedAt"> & {
  lastSyncAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
};

export function syncView(s: UserSyncState): SyncView {
  return {
    ...s,
    lastSyncAt: s.lastSyncAt?.toISOString() ?? null,
    startedAt: s.startedAt?.toISOString() ?? null,
    finishedAt: s.finishedAt?.toISOString() ?? null,
  };
}

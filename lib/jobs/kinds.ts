import "server-only";
import { reloadDirectoryKind } from "@/lib/tenants/reload-job";
import { userSyncKind } from "@/lib/users/job";
import { verifyKind } from "@/lib/verification/job";
import type { AnyJobKind, KindName } from "./types";

/** Every job kind, by name. A new kind is a module declaring a JobKind (./types.ts) and a line here. */
export const jobKinds: ReadonlyMap<KindName, AnyJobKind> = new Map<KindName, AnyJobKind>([
  ["verify", verifyKind as unknown as AnyJobKind],
  ["reload-directory", reloadDirectoryKind as unknown as AnyJobKind],
  ["user-sync", userSyncKind as unknown as AnyJobKind],
]);

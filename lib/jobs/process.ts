import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * This process as the job stores name it: host, pid and a random part (a pid is reused after a restart).
 * A process that finds work held by another process of the same host whose pid is gone takes it over at
 * once instead of waiting for the holder's heartbeat or lease to run out: a console restarted right after
 * a crash continues its run immediately.
 */

// On globalThis: Next.js bundles a module once per route, and this must be one value per process.
const holder = globalThis as { tacProcessId?: string };
holder.tacProcessId ??= `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
export const PROCESS_ID = holder.tacProcessId;

/** Whether a process of `host` with `pid` is certainly gone: this host, not this process, and no such pid. */
export function pidGone(host: string, pid: number): boolean {
  if (host !== hostname() || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: the pid exists (another user's process); only ESRCH says it is gone.
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
  // A killed process nobody has reaped yet (a container whose first process does not reap orphans)
  // still answers signal 0: on Linux its state says it is a zombie.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return /^\d+ \(.*\) [ZX]/s.test(stat);
  } catch {
    return false;
  }
}

/** Whether the process named by `id` (a PROCESS_ID) is certainly gone. */
export function processGone(id: string): boolean {
  const [host, pid] = id.split(":");
  return Boolean(host && pid && /^\d+$/.test(pid) && pidGone(host, Number(pid)));
}

import { randomBytes } from "node:crypto";
import type { DatabaseClient } from "@/lib/db-client";
import { keyIdOf, rewrapWith } from "./envelope";
import { encryptedFields } from "./fields";
import { keyIdFor, type Keyring } from "./keyring";

export type RotationReport = { rewrapped: number; alreadyCurrent: number; byField: Record<string, number> };

type Row = { id: string; value: string | null };

// Prisma's typed delegates differ per model; this narrow view is all rotation needs.
type Delegate = {
  findMany(args: {
    select: Record<string, true>;
    where: Record<string, unknown>;
    orderBy: { id: "asc" };
    take: number;
    cursor?: { id: string };
    skip?: number;
  }): Promise<Record<string, string | null>[]>;
  updateMany(args: { where: Record<string, unknown>; data: Record<string, string> }): Promise<{ count: number }>;
};

function delegateFor(db: DatabaseClient, table: string): Delegate {
  const name = table.charAt(0).toLowerCase() + table.slice(1);
  return (db as unknown as Record<string, Delegate>)[name]!;
}

/** Re-wraps every ciphertext that is not under the ring's current key. Safe to run again after a crash. */
export async function rewrapAll(db: DatabaseClient, ring: Keyring, batchSize = 500): Promise<RotationReport> {
  const report: RotationReport = { rewrapped: 0, alreadyCurrent: 0, byField: {} };
  for (const { table, field, binding } of encryptedFields) {
    const delegate = delegateFor(db, table);
    let cursor: string | undefined;
    for (;;) {
      const rows = (
        await delegate.findMany({
          select: { id: true, [field]: true },
          where: {},
          orderBy: { id: "asc" },
          take: batchSize,
          ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        })
      ).map((r): Row => ({ id: r.id as string, value: r[field] ?? null }));
      if (rows.length === 0) break;
      for (const row of rows) {
        if (!row.value) continue;
        if (keyIdOf(row.value) === ring.currentId) {
          report.alreadyCurrent++;
          continue;
        }
        const next = rewrapWith(ring, row.value, { table: binding ?? table, rowId: row.id, field });
        // Compare-and-set on the old value: a concurrent writer's newer ciphertext is not overwritten.
        const { count } = await delegate.updateMany({ where: { id: row.id, [field]: row.value }, data: { [field]: next } });
        if (count) {
          report.rewrapped++;
          report.byField[`${table}.${field}`] = (report.byField[`${table}.${field}`] ?? 0) + 1;
        }
      }
      cursor = rows[rows.length - 1]!.id;
    }
  }
  return report;
}

/** Counts ciphertexts still made under a key other than the current one. */
export async function countStale(db: DatabaseClient, ring: Keyring): Promise<number> {
  let stale = 0;
  for (const { table, field } of encryptedFields) {
    const rows = await delegateFor(db, table).findMany({ select: { id: true, [field]: true }, where: {}, orderBy: { id: "asc" }, take: 1_000_000 });
    for (const r of rows) if (r[field] && keyIdOf(r[field]!) !== ring.currentId) stale++;
  }
  return stale;
}

export function newKeyringWith(ring: Keyring): Keyring {
  const key = randomBytes(32);
  const id = keyIdFor(key);
  return { currentId: id, keys: new Map([...ring.keys, [id, key]]) };
}

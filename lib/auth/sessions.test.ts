import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import {
  activeAdminSession,
  createAdminSession,
  revokeAdminSession,
  revokeAdminSessions,
  SESSION_TOUCH_INTERVAL_MS,
  sessionEnd,
  touchAdminSession,
  type SessionLifetime,
} from "./sessions";

// Runs on SQLite, and on PostgreSQL with TEST_DATABASE=postgres (lib/testing/setup-env.ts).
const MINUTE = 60_000;
const lifetime: SessionLifetime = { idleMs: 60 * MINUTE, maxMs: 8 * 60 * MINUTE };
const t0 = new Date("2026-03-01T08:00:00.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

async function newAdmin() {
  const id = newId();
  await db.adminUser.create({ data: { id, email: `${id}@msp.example` } });
  return id;
}

async function signIn(adminId: string, now = t0) {
  return createAdminSession({ adminId, method: "credentials", address: "203.0.113.9", userAgent: "Vitest" }, now, lifetime);
}

const row = (id: string) => db.adminSession.findUniqueOrThrow({ where: { id } });

describe("console sessions", () => {
  it("stores a row with an unguessable id, the sign-in's address and both deadlines", async () => {
    const adminId = await newAdmin();
    const sid = await signIn(adminId);
    expect(sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await row(sid)).toMatchObject({
      adminId,
      method: "credentials",
      createdAt: t0,
      lastSeenAt: t0,
      expiresAt: at(lifetime.maxMs),
      revokedAt: null,
      address: "203.0.113.9",
      userAgent: "Vitest",
    });
    const active = await activeAdminSession(sid, adminId, at(MINUTE), lifetime);
    expect(active).toMatchObject({
      id: sid,
      method: "credentials",
      admin: { id: adminId, email: `${adminId}@msp.example`, role: "ADMINISTRATOR", disabled: false },
    });
  });

  it("ends after SESSION_IDLE_MINUTES without a request, and activity keeps it alive", async () => {
    const adminId = await newAdmin();
    const sid = await signIn(adminId);
    expect(await activeAdminSession(sid, adminId, at(lifetime.idleMs - 1), lifetime)).not.toBeNull();
    // That request moved lastSeenAt: the idle clock starts again from it.
    expect((await row(sid)).lastSeenAt).toEqual(at(lifetime.idleMs - 1));
    expect(await activeAdminSession(sid, adminId, at(2 * lifetime.idleMs - 2), lifetime)).not.toBeNull();

    const quiet = await signIn(adminId);
    expect(await activeAdminSession(quiet, adminId, at(lifetime.idleMs), lifetime)).toBeNull();
    expect(sessionEnd(await row(quiet), adminId, at(lifetime.idleMs), lifetime)).toBe("idle");
    // An idle session is not revived by a later request's write.
    expect(await touchAdminSession(quiet, at(lifetime.idleMs + MINUTE), lifetime)).toBe(false);
    expect((await row(quiet)).lastSeenAt).toEqual(t0);
  });

  it("ends SESSION_MAX_HOURS after sign-in however active it is", async () => {
    const adminId = await newAdmin();
    const sid = await signIn(adminId);
    for (let ms = 30 * MINUTE; ms < lifetime.maxMs; ms += 30 * MINUTE) {
      expect(await activeAdminSession(sid, adminId, at(ms), lifetime), `at +${ms / MINUTE} min`).not.toBeNull();
    }
    expect(await activeAdminSession(sid, adminId, at(lifetime.maxMs), lifetime)).toBeNull();
    expect(sessionEnd(await row(sid), adminId, at(lifetime.maxMs), lifetime)).toBe("expired");
    expect(await touchAdminSession(sid, at(lifetime.maxMs), lifetime)).toBe(false);
    // A shorter lifetime configured later applies to sessions already open.
    const other = await signIn(adminId);
    expect(sessionEnd(await row(other), adminId, at(2 * 60 * MINUTE), { ...lifetime, maxMs: 2 * 60 * MINUTE })).toBe("expired");
  });

  it("signing out ends that session only, and only for its own admin", async () => {
    const adminId = await newAdmin();
    const [laptop, phone] = [await signIn(adminId), await signIn(adminId)];
    expect(await revokeAdminSession(laptop, await newAdmin(), "signed_out", at(MINUTE))).toBe(false);
    expect(await activeAdminSession(laptop, adminId, at(2 * MINUTE), lifetime)).not.toBeNull();

    expect(await revokeAdminSession(laptop, adminId, "signed_out", at(3 * MINUTE))).toBe(true);
    expect(await row(laptop)).toMatchObject({ revokedAt: at(3 * MINUTE), revokedReason: "signed_out" });
    expect(await activeAdminSession(laptop, adminId, at(4 * MINUTE), lifetime)).toBeNull();
    expect(await touchAdminSession(laptop, at(10 * MINUTE), lifetime)).toBe(false);
    expect(await revokeAdminSession(laptop, adminId, "signed_out", at(5 * MINUTE))).toBe(false);
    expect((await row(laptop)).revokedAt).toEqual(at(3 * MINUTE));
    expect(await activeAdminSession(phone, adminId, at(4 * MINUTE), lifetime)).not.toBeNull();
  });

  it("revoking an admin's sessions ends all of theirs and nobody else's", async () => {
    const [adminId, colleague] = [await newAdmin(), await newAdmin()];
    const mine = [await signIn(adminId), await signIn(adminId)];
    const theirs = await signIn(colleague);
    expect(await revokeAdminSessions(adminId, "revoked", at(MINUTE))).toBe(2);
    for (const sid of mine) {
      expect(await row(sid)).toMatchObject({ revokedAt: at(MINUTE), revokedReason: "revoked" });
      expect(await activeAdminSession(sid, adminId, at(2 * MINUTE), lifetime)).toBeNull();
    }
    expect(await activeAdminSession(theirs, colleague, at(2 * MINUTE), lifetime)).not.toBeNull();
    expect(await revokeAdminSessions(adminId, "revoked", at(3 * MINUTE))).toBe(0);
  });

  it("accepts a session id only for the admin it belongs to, and no unknown id", async () => {
    const adminId = await newAdmin();
    const sid = await signIn(adminId);
    expect(await activeAdminSession(sid, await newAdmin(), at(MINUTE), lifetime)).toBeNull();
    expect(await activeAdminSession("not-a-session", adminId, at(MINUTE), lifetime)).toBeNull();
    expect(sessionEnd(null, adminId, at(MINUTE), lifetime)).toBe("unknown");
  });

  it("records activity at most once a minute, even for many simultaneous requests", async () => {
    const adminId = await newAdmin();
    const sid = await signIn(adminId);
    const early = at(SESSION_TOUCH_INTERVAL_MS - 1);
    await Promise.all(Array.from({ length: 10 }, () => activeAdminSession(sid, adminId, early, lifetime)));
    expect((await row(sid)).lastSeenAt).toEqual(t0);

    const later = at(SESSION_TOUCH_INTERVAL_MS);
    const writes = await Promise.all(Array.from({ length: 20 }, () => touchAdminSession(sid, later, lifetime)));
    expect(writes.filter(Boolean)).toHaveLength(1);
    expect((await row(sid)).lastSeenAt).toEqual(later);
    expect(await touchAdminSession(sid, at(SESSION_TOUCH_INTERVAL_MS + 30_000), lifetime)).toBe(false);
    expect((await row(sid)).lastSeenAt).toEqual(later);
  });

  it("deletes sessions past their absolute expiry when someone signs in", async () => {
    const adminId = await newAdmin();
    const old = await signIn(adminId);
    const revoked = await signIn(adminId, at(lifetime.maxMs));
    await revokeAdminSession(revoked, adminId, "signed_out", at(lifetime.maxMs + MINUTE));
    await signIn(adminId, at(lifetime.maxMs + 2 * MINUTE));
    expect(await db.adminSession.findUnique({ where: { id: old } })).toBeNull();
    // Revoked rows stay until their own expiry: they still say how the session ended.
    expect(await row(revoked)).toMatchObject({ revokedReason: "signed_out" });
  });
});

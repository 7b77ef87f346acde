import { beforeEach, expect, it } from "vitest";
import { db } from "@/lib/db";
import { consumeRateLimit, WINDOW_MS } from "./rate-limit";

const actor = { type: "api_token" as const, id: "t1", label: "nightly sync" };

beforeEach(async () => {
  await db.rateLimitWindow.deleteMany({});
  await db.auditEvent.deleteMany({});
});

it("allows `limit` requests per window, refuses the rest until the next window, and audits once per window", async () => {
  const start = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS;
  const at = (ms: number) => consumeRateLimit({ subject: "token:t1", limit: 3, actor, requestId: "r", now: start + ms });
  const decisions = await Promise.all([at(1000), at(1000), at(1000)]);
  expect(decisions.map((d) => d.allowed)).toEqual([true, true, true]);
  expect(decisions.map((d) => d.remaining).sort()).toEqual([0, 1, 2]);
  const refused = await at(45_500);
  expect(refused).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 15 });
  expect((await at(59_000)).allowed).toBe(false);
  expect(await db.auditEvent.count({ where: { action: "api.rate_limited", actorLabel: "nightly sync" } })).toBe(1);

  // Another caller has its own counter; the next window starts from zero and clears old windows.
  expect((await consumeRateLimit({ subject: "token:t2", limit: 3, actor, requestId: "r", now: start + 2000 })).allowed).toBe(true);
  expect((await at(WINDOW_MS * 2 + 10)).allowed).toBe(true);
  expect(await db.rateLimitWindow.count({ where: { windowStart: { lt: new Date(start + WINDOW_MS) } } })).toBe(0);
});

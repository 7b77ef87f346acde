import { beforeEach, describe, expect, it } from "vitest";
import { API_TOKEN_PATTERN, hashApiToken } from "@/lib/api-tokens/format";
import { db } from "@/lib/db";
import { apiTokenFormSchema } from "@/lib/validations/api-token";
import { CommandError } from "@/lib/errors";
import { createApiToken, listApiTokens, revokeApiToken } from "./manage";

const now = new Date("2026-03-01T12:00:00Z");
const day = 86_400_000;
const ctx = { actor: { type: "admin" as const, id: "admin-1", label: "admin@msp.example" }, requestId: "req-1", now };
const input = (over: Partial<{ name: string; role: "ADMINISTRATOR" | "OPERATOR" | "VIEWER"; expiresAt: Date }> = {}) => ({
  name: "PSA sync",
  role: "VIEWER" as const,
  expiresAt: new Date(now.getTime() + 90 * day),
  ...over,
});

async function refusal(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandError);
  return error as CommandError;
}

beforeEach(async () => {
  await db.auditEvent.deleteMany();
  await db.apiToken.deleteMany();
});

describe("createApiToken", () => {
  it("returns the token once and stores only its SHA-256 and display prefix", async () => {
    const created = await createApiToken(input(), ctx);
    expect(created.token).toMatch(API_TOKEN_PATTERN);
    expect(created.prefix).toBe(created.token.slice(0, 12));
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).toBe(hashApiToken(created.token));
    expect(row).toMatchObject({ name: "PSA sync", role: "VIEWER", prefix: created.prefix, createdBy: "admin@msp.example", revokedAt: null, lastUsedAt: null });
    expect(row.expiresAt.toISOString()).toBe("2026-05-30T12:00:00.000Z");
    expect(JSON.stringify(row)).not.toContain(created.token);
  });

  it("audits the creation without the token", async () => {
    const created = await createApiToken(input({ role: "OPERATOR" }), ctx);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "api_token.created" } });
    expect(audit).toMatchObject({ targetType: "api_token", targetId: created.id, actorLabel: "admin@msp.example", requestId: "req-1" });
    expect(JSON.parse(audit.details)).toEqual({ tokenName: "PSA sync", prefix: created.prefix, role: "OPERATOR", expiresAt: "2026-05-30T12:00:00.000Z" });
    expect(audit.details).not.toContain(created.token);
  });

  it("trims the name and refuses an empty or over-long one", async () => {
    const created = await createApiToken(input({ name: "  RMM  " }), ctx);
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: created.id } })).name).toBe("RMM");
    expect((await refusal(createApiToken(input({ name: "   " }), ctx))).fieldErrors?.name).toBeDefined();
    expect((await refusal(createApiToken(input({ name: "x".repeat(81) }), ctx))).fieldErrors?.name).toEqual(["At most 80 characters."]);
    await expect(createApiToken(input({ name: "y".repeat(80) }), ctx)).resolves.toBeDefined();
  });

  it("keeps names unique among active tokens, ignoring case; revoked and expired tokens free their name", async () => {
    const first = await createApiToken(input(), ctx);
    const duplicate = await refusal(createApiToken(input({ name: "psa SYNC", role: "ADMINISTRATOR" }), ctx));
    expect(duplicate.fieldErrors?.name?.[0]).toContain("already named psa SYNC");
    expect(await db.apiToken.count()).toBe(1);

    await revokeApiToken(first.id, ctx);
    const second = await createApiToken(input(), ctx);

    await db.apiToken.update({ where: { id: second.id }, data: { expiresAt: new Date(now.getTime() - 1000) } });
    await expect(createApiToken(input(), ctx)).resolves.toMatchObject({ prefix: expect.stringMatching(/^tac_/) });
    expect(await db.apiToken.count({ where: { name: "PSA sync" } })).toBe(3);
  });

  it("requires an expiry in the future and at most two years away", async () => {
    expect((await refusal(createApiToken(input({ expiresAt: now }), ctx))).fieldErrors).toEqual({ expiresAt: ["The expiry must be in the future."] });
    expect((await refusal(createApiToken(input({ expiresAt: new Date(now.getTime() + 730 * day + 1) }), ctx))).fieldErrors).toEqual({
      expiresAt: ["A token may live at most two years."],
    });
    expect((await refusal(createApiToken(input({ expiresAt: new Date(Number.NaN) }), ctx))).fieldErrors?.expiresAt).toBeDefined();
    await expect(createApiToken(input({ expiresAt: new Date(now.getTime() + 730 * day) }), ctx)).resolves.toBeDefined();
  });

  it("refuses a role that is not Administrator, Operator or Viewer", async () => {
    const error = await refusal(createApiToken({ ...input(), role: "OWNER" as "VIEWER" }, ctx));
    expect(error.fieldErrors?.role).toEqual(["Choose Administrator, Operator or Viewer."]);
  });
});

describe("apiTokenFormSchema", () => {
  const form = (over: Record<string, string>) => apiTokenFormSchema(now).safeParse({ name: "RMM", role: "OPERATOR", expiry: "30", ...over });
  const fieldErrors = (over: Record<string, string>): Record<string, string[] | undefined> => form(over).error?.flatten().fieldErrors ?? {};

  it("resolves presets to days from now and a custom date to the end of that day (UTC)", () => {
    expect(form({}).data?.expiresAt.toISOString()).toBe("2026-03-31T12:00:00.000Z");
    expect(form({ expiry: "365" }).data?.expiresAt.toISOString()).toBe("2027-03-01T12:00:00.000Z");
    expect(form({ expiry: "custom", expiresOn: "2026-12-24" }).data?.expiresAt.toISOString()).toBe("2026-12-24T23:59:59.999Z");
  });

  it("bounds the custom date to tomorrow … two years", () => {
    const errors = (over: Record<string, string>) => fieldErrors(over).expiresOn;
    expect(errors({ expiry: "custom" })).toEqual(["Choose the date the token expires."]);
    expect(errors({ expiry: "custom", expiresOn: "2026-03-01" })).toEqual(["Choose a date after today."]);
    expect(errors({ expiry: "custom", expiresOn: "01/03/2027" })).toEqual(["Enter a date as YYYY-MM-DD."]);
    expect(errors({ expiry: "custom", expiresOn: "2028-02-29" })).toEqual(["At most two years from today (2028-02-28 at the latest)."]);
    expect(form({ expiry: "custom", expiresOn: "2028-02-28" }).success).toBe(true);
    expect(fieldErrors({ expiry: "7" }).expiry).toEqual(["Choose when the token expires."]);
  });
});

describe("listApiTokens", () => {
  it("lists active tokens first with their status and never the hash", async () => {
    const old = await createApiToken(input({ name: "Old" }), { ...ctx, now: new Date(now.getTime() - 10 * day) });
    const expired = await createApiToken(input({ name: "Expired", expiresAt: new Date(now.getTime() + day) }), {
      ...ctx,
      now: new Date(now.getTime() - 5 * day),
    });
    const active = await createApiToken(input({ name: "Active" }), ctx);
    await revokeApiToken(old.id, ctx);
    await db.apiToken.update({ where: { id: active.id }, data: { lastUsedAt: now, lastUsedFrom: "203.0.113.7" } });

    const list = await listApiTokens(new Date(now.getTime() + 2 * day));
    expect(list.map((t) => [t.name, t.status])).toEqual([
      ["Active", "ACTIVE"],
      ["Expired", "EXPIRED"],
      ["Old", "REVOKED"],
    ]);
    expect(list[0]).toMatchObject({ prefix: active.prefix, lastUsedFrom: "203.0.113.7", createdBy: "admin@msp.example" });
    expect(list[2]).toMatchObject({ revokedBy: "admin@msp.example", revokedAt: now });
    expect(list.some((t) => "tokenHash" in t)).toBe(false);
    expect(expired.id).toBe(list[1]!.id);
  });
});

describe("revokeApiToken", () => {
  it("revokes once, keeps the row and audits it", async () => {
    const created = await createApiToken(input(), ctx);
    await expect(revokeApiToken(created.id, ctx)).resolves.toEqual({ name: "PSA sync" });
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.revokedAt).toEqual(now);
    expect(row.revokedBy).toBe("admin@msp.example");

    const again = await refusal(revokeApiToken(created.id, { ...ctx, actor: { type: "admin", id: "admin-2", label: "other@msp.example" } }));
    expect(again).toMatchObject({ code: "conflict", message: "PSA sync is already revoked." });
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: created.id } })).revokedBy).toBe("admin@msp.example");

    const audit = await db.auditEvent.findMany({ where: { action: "api_token.revoked" } });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details)).toEqual({ tokenName: "PSA sync", prefix: created.prefix });
    expect(audit[0]!.details).not.toContain(created.token);
  });

  it("refuses an unknown id", async () => {
    expect(await refusal(revokeApiToken("missing", ctx))).toMatchObject({ code: "not-found", message: "This API token does not exist." });
  });
});

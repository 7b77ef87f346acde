import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { buildScenario, customerFixture, FIXTURE, prepareDatabase, seedProvider, seedTenant, type CustomerFixture } from "@/lib/verification/testing";

/**
 * Staged client-secret rotation (issue 19) against the emulator: 200 customer tenants on the MSP's
 * registration (app-only and password methods), the provider app's Graph permission in its home tenant
 * granted or not, and Entra's replication delay of a new secret. The rotation is advanced by calling its
 * tick with an injected clock, as the job engine's periodic tick would.
 */

type Rotation = typeof import("./rotation");
type Runs = typeof import("@/lib/verification/runs");
type Db = (typeof import("@/lib/db"))["db"];

let emu: RunningEmulator;
let rotation: Rotation;
let runs: Runs;
let db: Db;
let decrypt: (typeof import("@/lib/crypto"))["decryptSecret"];
let clearMsalClients: () => void;
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
let startRoute: Handler;
let getRoute: Handler;
let listRoute: Handler;
let adminToken = "";

const customers: CustomerFixture[] = Array.from({ length: 200 }, (_, i) => customerFixture(i + 1));
const admin = { type: "admin" as const, id: "admin-1", label: "ops@msp.example" };
const MINUTE = 60_000;

beforeAll(async () => {
  process.env.VERIFY_MAX_RETRIES = "1";
  process.env.VERIFY_TIMEOUT_SECONDS = "5";
  process.env.ROTATION_CANARY_SIZE = "5";
  process.env.ROTATION_GRACE_MINUTES = "120";
  process.env.ROTATION_ACCEPT_TIMEOUT_MINUTES = "10";
  process.env.ROTATION_DAYS_BEFORE_EXPIRY = "30";
  process.env.ROTATION_WINDOW_UTC = "01:00-05:00";
  await prepareDatabase("tac-rotation-");
  const { startEmulator } = await import("@/emulator/index");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario(customers) });
  db = (await import("@/lib/db")).db;
  decrypt = (await import("@/lib/crypto")).decryptSecret;
  clearMsalClients = (await import("@/lib/entra/msal-clients")).clearMsalClients;
  rotation = await import("./rotation");
  runs = await import("@/lib/verification/runs");
  startRoute = (await import("@/app/api/v1/app-registrations/[id]/rotations/route")).POST as Handler;
  getRoute = (await import("@/app/api/v1/app-registrations/[id]/rotations/[rotationId]/route")).GET as Handler;
  listRoute = (await import("@/app/api/v1/app-registrations/[id]/rotations/route")).GET as Handler;
  const { generateApiToken } = await import("@/lib/api-tokens/format");
  const t = generateApiToken();
  await db.apiToken.create({
    data: {
      id: "rotation-admin",
      name: "rotation",
      role: "ADMINISTRATOR",
      tokenHash: t.hash,
      prefix: t.prefix,
      createdBy: "test",
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  adminToken = t.token;
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  for (const [i, c] of customers.entries()) await seedTenant({ customer: c, method: i % 4 === 3 ? "PASSWORD" : "APP_REGISTRATION" });
  // Every tenant verified once, so each is a canary candidate.
  const first = await verifyAll();
  expect(first).toMatchObject({ status: "COMPLETED", total: 200, failed: 0 });
}, 120_000);

afterAll(async () => {
  await runs?.releaseRuns();
  await emu?.close();
});

beforeEach(async () => {
  emu.state.reset();
  clearMsalClients();
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  // Apply stores the secret's hint (its first three characters), by which the rotation finds its keyId.
  await db.appRegistration.update({ where: { id: "provider" }, data: { clientSecretHint: FIXTURE.providerSecret.slice(0, 3) } });
  await db.secretRotation.deleteMany({});
});

function call(handler: Handler, method: string, url: string, params: Record<string, string>, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${adminToken}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return handler(new Request(`http://localhost/api/v1${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), {
    params: Promise.resolve(params),
  });
}

async function verifyAll() {
  const { run } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "admin@msp.example.com", concurrency: 8 });
  await runs.waitForRun(run.id);
  return (await runs.getRunProgress(run.id))!;
}

const grantOwnedBy = () =>
  emu.state.grantConsent(FIXTURE.homeTenantId, FIXTURE.providerClientId, { applicationPermissions: ["Application.ReadWrite.OwnedBy"] });

const providerSecrets = () => emu.state.findApp(FIXTURE.providerClientId)!.secrets.map((s) => ({ keyId: s.keyId, hint: s.hint ?? s.secretText.slice(0, 3) }));

async function storedSecret(): Promise<{ secret: string; hint: string | null; version: number }> {
  const row = await db.appRegistration.findUniqueOrThrow({ where: { id: "provider" } });
  return {
    secret: decrypt(row.clientSecret!, { table: "ProviderSettings", rowId: "provider", field: "clientSecret" }),
    hint: row.clientSecretHint,
    version: row.version,
  };
}

async function auditActions(): Promise<string[]> {
  return (await db.auditEvent.findMany({ where: { targetType: "app_registration", targetId: "provider" }, orderBy: { at: "asc" } })).map((a) => a.action);
}

describe("client-secret rotation of an MSP app registration", () => {
  it("rotates: new secret through Graph, waits out AADSTS7000215, canary, switch, grace, old secret removed", async () => {
    grantOwnedBy();
    await emu.control.setSecretPropagationDelay(FIXTURE.providerClientId, 30);
    const t0 = new Date();
    const started = await rotation.startRotation("provider", { mode: "graph" }, { actor: admin, now: t0 });
    expect(started.ok).toBe(true);
    const view = started.ok ? started.data : null!;
    expect(view).toMatchObject({ state: "accepting", mode: "graph", oldHint: "prv", requestedBy: admin.label });
    expect(providerSecrets()).toHaveLength(2);
    expect(JSON.stringify(view)).not.toContain(FIXTURE.providerSecret);

    // Entra has not replicated the new secret yet: the tick waits and retries.
    expect(await rotation.rotationTick(t0)).toBe(1);
    let now = await rotation.getRotation("provider", view.id);
    expect(now).toMatchObject({ state: "accepting" });
    expect(now!.timeline.at(-1)).toMatchObject({ step: "accepting", outcome: "waiting" });
    expect((await storedSecret()).secret).toBe(FIXTURE.providerSecret);

    emu.state.advanceClock(31);
    await rotation.rotationTick(new Date(t0.getTime() + MINUTE));
    expect(await rotation.getRotation("provider", view.id)).toMatchObject({ state: "canary" });

    await rotation.rotationTick(new Date(t0.getTime() + 2 * MINUTE));
    now = await rotation.getRotation("provider", view.id);
    expect(now).toMatchObject({ state: "grace" });
    const canary = now!.timeline.find((e) => e.step === "canary")!;
    expect(canary).toMatchObject({ outcome: "ok" });
    expect(canary.message).toMatch(/^Canary passed: 5 tenant\(s\) verified with the new secret \(.+\)\.$/);
    expect(canary.message).toContain("CUSTOM/APP_REGISTRATION");
    expect(canary.message).toContain("CUSTOM/PASSWORD");
    const stored = await storedSecret();
    expect(stored.secret).not.toBe(FIXTURE.providerSecret);
    expect(stored.hint).toBe(view.newHint);
    expect(emu.state.findApp(FIXTURE.providerClientId)!.secrets.some((s) => s.secretText === stored.secret)).toBe(true);
    // Both secrets stay in Entra during the grace period.
    expect(providerSecrets()).toHaveLength(2);

    // Not before the grace period ends…
    await rotation.rotationTick(new Date(t0.getTime() + 60 * MINUTE));
    expect(providerSecrets()).toHaveLength(2);
    // …then the old secret is removed.
    await rotation.rotationTick(new Date(t0.getTime() + 125 * MINUTE));
    now = await rotation.getRotation("provider", view.id);
    expect(now).toMatchObject({ state: "completed", error: null });
    expect(now!.timeline.map((e) => `${e.step}:${e.outcome}`)).toEqual([
      "created:ok",
      "accepting:waiting",
      "accepted:ok",
      "canary:ok",
      "switched:ok",
      "grace:waiting",
      "old_removed:ok",
      "completed:ok",
    ]);
    expect(providerSecrets()).toEqual([{ keyId: expect.any(String), hint: view.newHint }]);
    expect(await auditActions()).toEqual(
      expect.arrayContaining([
        "app_registration.rotation_started",
        "app_registration.rotation_step",
        "app_registration.updated",
        "app_registration.rotation_finished",
      ]),
    );
    const details = (await db.auditEvent.findMany({ where: { targetId: "provider" } })).map((a) => a.details).join("\n");
    expect(details).not.toContain(stored.secret);
    expect(details).not.toContain(FIXTURE.providerSecret);

    // Every tenant verifies with the stored (new) secret, the old one being gone.
    expect(await verifyAll()).toMatchObject({ status: "COMPLETED", failed: 0 });
  }, 60_000);

  it("rolls back when the canary fails: the old secret stays, the new one is removed, an alert is raised", async () => {
    grantOwnedBy();
    const t0 = new Date();
    const started = await rotation.startRotation("provider", { mode: "graph" }, { actor: admin, now: t0 });
    expect(started.ok).toBe(true);
    const id = started.ok ? started.data.id : "";
    await rotation.rotationTick(t0);
    expect(await rotation.getRotation("provider", id)).toMatchObject({ state: "canary" });

    // Every customer withdraws its consent before the canary runs: no canary tenant verifies.
    for (const c of customers) emu.state.revokeConsent(c.tenantId, FIXTURE.providerClientId);
    await rotation.rotationTick(new Date(t0.getTime() + MINUTE));
    const view = await rotation.getRotation("provider", id);
    expect(view).toMatchObject({ state: "rolled_back" });
    expect(view!.error).toMatch(/^Canary failed on 5 of 5 tenant\(s\) — Customer \d+: /);
    expect(view!.timeline.slice(-2).map((e) => `${e.step}:${e.outcome}`)).toEqual(["canary:failed", "rolled_back:ok"]);

    expect(providerSecrets()).toEqual([{ keyId: expect.any(String), hint: "prv" }]);
    const stored = await storedSecret();
    expect(stored.secret).toBe(FIXTURE.providerSecret);
    const events = await db.alertEvent.findMany({ where: { type: "rotation.failed" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ severity: "critical", title: 'Secret rotation of "Emulator" rolled back' });
    expect(events[0]!.data).not.toContain(FIXTURE.providerSecret);
    // The timeline through REST, in its declared shape.
    const res = await call(getRoute, "GET", `/app-registrations/provider/rotations/${id}`, { id: "provider", rotationId: id });
    expect(res.status).toBe(200);
    const { secretRotationSchema } = await import("@/lib/api/schemas");
    const body = secretRotationSchema.parse(await res.json());
    expect(body).toMatchObject({ id, state: "rolled_back", newHint: view!.newHint, oldHint: "prv" });
    expect(body.timeline.map((e) => e.step)).toEqual(view!.timeline.map((e) => e.step));
    const missing = await call(getRoute, "GET", `/app-registrations/provider/rotations/nope`, { id: "provider", rotationId: "nope" });
    expect(missing.status).toBe(404);
    // A later tick does nothing more.
    expect(await rotation.rotationTick(new Date(t0.getTime() + 200 * MINUTE))).toBe(0);
  }, 60_000);

  it("refuses with a clear error and changes nothing when the app lacks Application.ReadWrite.OwnedBy", async () => {
    const before = await storedSecret();
    const secretsBefore = providerSecrets();
    const result = await rotation.startRotation("provider", { mode: "graph" }, { actor: admin });
    expect(result).toEqual({ ok: false, code: "forbidden", error: rotation.PERMISSION_MISSING });
    expect(rotation.PERMISSION_MISSING).toContain("Application.ReadWrite.OwnedBy");
    // The same through REST: 403 with the sentence a person can act on.
    const res = await call(startRoute, "POST", "/app-registrations/provider/rotations", { id: "provider" }, { mode: "graph" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail?: string }).detail).toBe(rotation.PERMISSION_MISSING);
    expect(await db.secretRotation.count()).toBe(0);
    expect(providerSecrets()).toEqual(secretsBefore);
    expect(await storedSecret()).toEqual(before);
    const refused = await db.auditEvent.findFirst({ where: { action: "app_registration.rotation_finished", targetId: "provider" }, orderBy: { at: "desc" } });
    expect(JSON.parse(refused!.details)).toMatchObject({ outcome: "refused", mode: "graph" });
  });

  it("scheduled: N days before expiry, inside the maintenance window, once the clock is advanced; a refusal waits a day", async () => {
    await db.appRegistration.update({ where: { id: "provider" }, data: { clientSecretExpiresAt: new Date("2030-03-31T00:00:00Z") } });
    // Without the Graph permission: the attempt is kept as a failed rotation saying why, and not repeated that day.
    const refusedAt = new Date("2030-03-02T01:30:00Z");
    expect(await rotation.startScheduledRotations(refusedAt)).toEqual([]);
    const refused = await rotation.listRotations("provider");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ state: "failed", trigger: "schedule", error: rotation.PERMISSION_MISSING });
    expect(await rotation.startScheduledRotations(new Date("2030-03-02T04:00:00Z"))).toEqual([]);
    expect(await db.secretRotation.count()).toBe(1);

    grantOwnedBy();
    clearMsalClients();
    expect(await rotation.startScheduledRotations(new Date("2030-02-01T02:00:00Z"))).toEqual([]); // 58 days before: not due
    expect(await rotation.startScheduledRotations(new Date("2030-03-05T12:00:00Z"))).toEqual([]); // due, outside the window
    const at = new Date("2030-03-06T02:30:00Z");
    const started = await rotation.startScheduledRotations(at);
    expect(started).toHaveLength(1);
    expect(await rotation.getRotation("provider", started[0]!)).toMatchObject({ state: "accepting", trigger: "schedule", mode: "graph" });
    // The tick advances it like any other; no second one starts while it runs.
    await rotation.rotationTick(new Date(at.getTime() + MINUTE));
    await rotation.rotationTick(new Date(at.getTime() + 2 * MINUTE));
    expect(await rotation.getRotation("provider", started[0]!)).toMatchObject({ state: "grace" });
    expect(await db.secretRotation.count({ where: { trigger: "schedule", state: { not: "failed" } } })).toBe(1);
    const stored = await db.appRegistration.findUniqueOrThrow({ where: { id: "provider" } });
    expect(stored.clientSecretExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 700 * 86_400_000);
  }, 60_000);

  it("a pasted secret: waits until it is accepted, canary, switch; without Graph's permission the old secret is left for the admin to remove", async () => {
    const pasted = emu.state.addSecret(FIXTURE.providerClientId, { displayName: "pasted by an admin" });
    const t0 = new Date();
    const started = await rotation.startRotation("provider", { mode: "pasted", secret: ` ${pasted.secretText} ` }, { actor: admin, now: t0 });
    expect(started.ok).toBe(true);
    const view = started.ok ? started.data : null!;
    expect(view).toMatchObject({ mode: "pasted", state: "accepting", newHint: pasted.hint, oldHint: "prv" });
    // The app may not read its own registration: the old secret's keyId is unknown, and the timeline says so.
    expect(view.timeline.map((e) => `${e.step}:${e.outcome}`)).toEqual(["created:ok", "created:info"]);
    expect(JSON.stringify(view)).not.toContain(pasted.secretText);
    await rotation.rotationTick(t0);
    await rotation.rotationTick(new Date(t0.getTime() + MINUTE));
    expect(await rotation.getRotation("provider", view.id)).toMatchObject({ state: "grace" });
    expect((await storedSecret()).secret).toBe(pasted.secretText);
    await rotation.rotationTick(new Date(t0.getTime() + 121 * MINUTE));
    const done = (await rotation.getRotation("provider", view.id))!;
    expect(done).toMatchObject({ state: "completed" });
    expect(done.timeline.at(-1)).toMatchObject({
      step: "completed",
      outcome: "info",
      message: "Rotation complete; remove the old secret prv… in the Entra admin center.",
    });
    // Nothing was removed from Entra: the old secret is still there, beside the pasted one.
    expect(
      providerSecrets()
        .map((c) => c.hint)
        .sort(),
    ).toEqual([pasted.hint, "prv"].sort());
    // The same secret pasted again is refused on its field.
    const again = await rotation.startRotation("provider", { mode: "pasted", secret: pasted.secretText }, { actor: admin });
    expect(again).toMatchObject({ ok: false, code: "validation", error: "This is the secret already in use; paste the new one." });
  }, 60_000);

  it("history: every rotation, newest first, each with its timeline, a page at a time (REST)", async () => {
    // A scheduled attempt refused (no Graph permission), then a manual rotation rolled back, then one in progress.
    await db.appRegistration.update({ where: { id: "provider" }, data: { clientSecretExpiresAt: new Date("2030-03-31T00:00:00Z") } });
    await rotation.startScheduledRotations(new Date("2030-03-02T01:30:00Z"));
    grantOwnedBy();
    clearMsalClients();
    const t0 = new Date("2030-03-03T10:00:00Z");
    // Microsoft never accepts this one in time: rolled back.
    await emu.control.setSecretPropagationDelay(FIXTURE.providerClientId, 100_000);
    const second = await rotation.startRotation("provider", { mode: "graph" }, { actor: admin, now: t0 });
    expect(second.ok).toBe(true);
    await rotation.rotationTick(new Date(t0.getTime() + 11 * MINUTE));
    const third = await rotation.startRotation("provider", { mode: "graph" }, { actor: admin, now: new Date(t0.getTime() + 20 * MINUTE) });
    expect(third).toMatchObject({ ok: true });

    const { secretRotationPageSchema } = await import("@/lib/api/schemas");
    const page = async (n: number, size: number) => {
      const res = await call(listRoute, "GET", `/app-registrations/provider/rotations?page=${n}&pageSize=${size}`, { id: "provider" });
      expect(res.status).toBe(200);
      return secretRotationPageSchema.parse(await res.json());
    };
    const first = await page(1, 2);
    expect(first).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(first.items.map((r) => [r.id, r.state, r.trigger])).toEqual([
      [third.ok ? third.data.id : "", "accepting", "manual"],
      [second.ok ? second.data.id : "", "rolled_back", "manual"],
    ]);
    expect(first.items[1]!.timeline.map((e) => `${e.step}:${e.outcome}`)).toEqual(["created:ok", "accepting:failed", "rolled_back:ok"]);
    expect(first.items[1]!.error).toBe("Microsoft did not accept the new secret in time.");
    const last = await page(2, 2);
    expect(last.items).toHaveLength(1);
    expect(last.items[0]).toMatchObject({ state: "failed", trigger: "schedule", error: rotation.PERMISSION_MISSING });
    expect(last.items[0]!.timeline).toEqual([expect.objectContaining({ step: "created", outcome: "failed" })]);
    expect(JSON.stringify([first, last])).not.toContain(FIXTURE.providerSecret);
    const missing = await call(listRoute, "GET", "/app-registrations/nope/rotations", { id: "nope" });
    expect(missing.status).toBe(404);
    const bad = await call(listRoute, "GET", "/app-registrations/provider/rotations?pageSize=500", { id: "provider" });
    expect(bad.status).toBe(400);
  }, 60_000);

  it("Verify All in a loop over 200 tenants during a whole rotation sees zero credential failures", async () => {
    grantOwnedBy();
    await emu.control.setSecretPropagationDelay(FIXTURE.providerClientId, 20);
    let clock = Date.now();
    // Started through REST, as a PSA's automation would.
    const res = await call(startRoute, "POST", "/app-registrations/provider/rotations", { id: "provider" }, { mode: "graph" });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const seen: string[] = [];
    for (let round = 0; round < 8; round++) {
      const state = (await rotation.getRotation("provider", id))!.state;
      seen.push(state);
      if (state === "completed") break;
      // A run starts, and while it checks tenants the rotation takes its next step.
      const { run } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "loop", concurrency: 8 });
      if (round === 1) emu.state.advanceClock(21);
      clock += state === "grace" ? 121 * MINUTE : MINUTE;
      await rotation.rotationTick(new Date(clock));
      await runs.waitForRun(run.id);
      const progress = (await runs.getRunProgress(run.id))!;
      expect(progress).toMatchObject({ status: "COMPLETED", total: 200, done: 200, failed: 0 });
      const credentialFailures = await db.verificationResult.count({
        where: { runId: run.id, reasonCode: { in: ["INVALID_SECRET", "SECRET_EXPIRED", "APP_CREDENTIAL_BLOCKED"] } },
      });
      expect(credentialFailures).toBe(0);
    }
    expect(seen).toEqual(["accepting", "accepting", "canary", "grace", "completed"]);
    expect(providerSecrets()).toHaveLength(1);
    expect(await db.tenant.count({ where: { lastStatus: "FAILED" } })).toBe(0);
    expect(await db.tenant.count({ where: { lastStatus: { in: ["VERIFIED", "WARNING"] } } })).toBe(200);
  }, 240_000);
});

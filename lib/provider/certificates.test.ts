import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSelfSignedCertificate, type CertificateAndKey } from "@/emulator/certs";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import type { ParsedCertificate } from "@/lib/crypto/certificates";
import { buildScenario, customerFixture, FIXTURE, prepareDatabase, seedProvider, seedTenant, type CustomerFixture } from "@/lib/verification/testing";
import { eventLines } from "@/lib/notify/message";

/**
 * Certificate overlap (issue 19): a new certificate uploaded beside the one in use is not used until the
 * switch; the switch is refused (nothing changed) while Entra does not know it; after the switch every
 * tenant signs in with it, its expiry feeds "Access breaks on" and the expiry alert, and the old one is
 * kept on standby until removed. Against the emulator, on the test database.
 */

type Certificates = typeof import("./certificates");
type Runs = typeof import("@/lib/verification/runs");
type Db = (typeof import("@/lib/db"))["db"];

let emu: RunningEmulator;
let certificates: Certificates;
let runs: Runs;
let db: Db;
let parse: (pem: string) => ParsedCertificate;

const customers: CustomerFixture[] = Array.from({ length: 6 }, (_, i) => customerFixture(i + 1));
const admin = { type: "admin" as const, id: "admin-1", label: "ops@msp.example" };
const DAY = 86_400_000;
const oldCert = createSelfSignedCertificate("MSP console 2026", { days: 365 });
const newCert = createSelfSignedCertificate("MSP console 2027", { days: 20 });
const bundle = (c: CertificateAndKey) => parse(`${c.keyPem}\n${c.certPem}`);

beforeAll(async () => {
  process.env.VERIFY_MAX_RETRIES = "1";
  await prepareDatabase("tac-certificates-");
  parse = (await import("@/lib/crypto/certificates")).parsePemBundle;
  const { startEmulator } = await import("@/emulator/index");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario(customers, oldCert.certPem) });
  db = (await import("@/lib/db")).db;
  certificates = await import("./certificates");
  runs = await import("@/lib/verification/runs");
  const old = bundle(oldCert);
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost, secret: null, certificate: old });
  await db.appRegistration.update({ where: { id: "provider" }, data: { certificateExpiresAt: old.notAfter } });
  for (const c of customers) await seedTenant({ customer: c, method: "APP_REGISTRATION" });
}, 60_000);

afterAll(async () => {
  await runs?.releaseRuns();
  await emu?.close();
});

async function verifyAll() {
  const { run } = await runs.startVerificationRun({ trigger: "manual", requestedBy: "admin@msp.example.com", concurrency: 4 });
  await runs.waitForRun(run.id);
  return (await runs.getRunProgress(run.id))!;
}

const row = () => db.appRegistration.findUniqueOrThrow({ where: { id: "provider" } });

/** Which certificate signed the last client assertions: the thumbprints the emulator saw. */
async function signingThumbprint(): Promise<string> {
  const { appOfRegistration } = await import("./settings");
  const app = appOfRegistration(await row());
  return app.credential.kind === "certificate" ? app.credential.thumbprintSha1 : "";
}

describe("certificate overlap of an MSP app registration", () => {
  it("upload beside the one in use, switch once Entra knows it, remove the old one; the new expiry feeds Access breaks on and the alert", async () => {
    expect(await verifyAll()).toMatchObject({ status: "COMPLETED", failed: 0 });
    let r = await row();

    // Refusals on the file, nothing stored.
    const same = await certificates.stageCertificate({ id: "provider", certificate: bundle(oldCert), expectedVersion: r.version, actor: admin });
    expect(same).toMatchObject({ ok: false, code: "validation", error: "This is the certificate already in use; upload the new one." });
    const expired = createSelfSignedCertificate("expired", { days: 1, notBefore: new Date(Date.now() - 3 * DAY) });
    expect(await certificates.stageCertificate({ id: "provider", certificate: bundle(expired), expectedVersion: r.version, actor: admin })).toMatchObject({
      ok: false,
      error: "This certificate has expired; upload a valid one.",
    });
    expect(await certificates.stageCertificate({ id: "provider", certificate: bundle(newCert), expectedVersion: r.version - 1, actor: admin })).toMatchObject({
      ok: false,
      code: "version-conflict",
    });
    expect((await row()).standbyCertificate).toBeNull();

    // Staged: stored beside the old one, which still signs every check.
    const staged = await certificates.stageCertificate({ id: "provider", certificate: bundle(newCert), expectedVersion: r.version, actor: admin });
    expect(staged).toEqual({ ok: true, data: { version: r.version + 1 } });
    r = await row();
    expect(r).toMatchObject({
      certificateThumbprint: oldCert.thumbprintSha1,
      standbyCertificateThumbprint: newCert.thumbprintSha1,
      standbyCertificateRetiredAt: null,
    });
    expect(r.standbyCertificate).not.toContain("PRIVATE KEY");
    expect(await signingThumbprint()).toBe(oldCert.thumbprintSha1);
    expect(await verifyAll()).toMatchObject({ status: "COMPLETED", failed: 0 });

    // Entra does not know the new certificate yet: the switch is refused and nothing changes.
    const early = await certificates.switchCertificate({ id: "provider", expectedVersion: r.version, actor: admin });
    expect(early.ok).toBe(false);
    expect(!early.ok && early.error).toMatch(
      /^Microsoft does not accept the standby certificate \(.+\): upload its public key \(\.cer\) .+ Nothing was changed\.$/,
    );
    expect(await row()).toMatchObject({
      version: r.version,
      certificateThumbprint: oldCert.thumbprintSha1,
      standbyCertificateThumbprint: newCert.thumbprintSha1,
    });

    // The administrator uploads the public key in the Entra admin center; now the switch goes through.
    emu.state.addCertificate(FIXTURE.providerClientId, newCert.certPem, { displayName: "2027" });
    const switched = await certificates.switchCertificate({ id: "provider", expectedVersion: r.version, actor: admin });
    expect(switched).toEqual({ ok: true, data: { version: r.version + 1, thumbprint: newCert.thumbprintSha1 } });
    r = await row();
    expect(r).toMatchObject({ certificateThumbprint: newCert.thumbprintSha1, standbyCertificateThumbprint: oldCert.thumbprintSha1 });
    expect(r.standbyCertificateRetiredAt).toBeInstanceOf(Date);
    expect(await signingThumbprint()).toBe(newCert.thumbprintSha1);

    // The new certificate's expiry, read from Graph, is every tenant's "Access breaks on"; the rule's alert follows.
    emu.state.grantConsent(FIXTURE.homeTenantId, FIXTURE.providerClientId, { applicationPermissions: ["Application.Read.All"] });
    const { refreshRegistrationExpiry } = await import("./expiry");
    const expiry = await refreshRegistrationExpiry("provider");
    expect(expiry).toMatchObject({ check: "read" });
    const ends = bundle(newCert).notAfter.getTime();
    expect(Math.abs(expiry!.certificateExpiresAt!.getTime() - ends)).toBeLessThan(1000);
    expect(await verifyAll()).toMatchObject({ status: "COMPLETED", failed: 0 });
    const breaks = await db.tenant.findMany({ select: { accessBreaksAt: true } });
    expect(breaks.every((t) => t.accessBreaksAt && Math.abs(t.accessBreaksAt.getTime() - ends) < 1000)).toBe(true);
    await db.alertRule.create({ data: { id: "expiring", name: "Expiring", events: JSON.stringify(["access.expiring"]), expiringWithinDays: 30 } });
    const { detectAccessExpiring } = await import("@/lib/notify/detect");
    expect(await detectAccessExpiring()).toBe(customers.length);

    // With the old certificate removed from Entra, tenants still verify: it is no longer used.
    const stale = emu.state.findApp(FIXTURE.providerClientId)!.certificates.findIndex((c) => c.sha1 === oldCert.thumbprintSha1);
    emu.state.findApp(FIXTURE.providerClientId)!.certificates.splice(stale, 1);
    expect(await verifyAll()).toMatchObject({ status: "COMPLETED", failed: 0 });

    const removed = await certificates.removeStandbyCertificate({ id: "provider", expectedVersion: r.version, actor: admin });
    expect(removed).toEqual({ ok: true, data: { version: r.version + 1 } });
    expect(await row()).toMatchObject({ standbyCertificate: null, standbyCertificateThumbprint: null, certificateThumbprint: newCert.thumbprintSha1 });
    expect(await certificates.switchCertificate({ id: "provider", expectedVersion: r.version + 1, actor: admin })).toMatchObject({
      ok: false,
      error: "There is no standby certificate to switch to.",
    });

    const audit = await db.auditEvent.findMany({
      where: { targetId: "provider", action: { startsWith: "app_registration.certificate_" } },
      orderBy: { at: "asc" },
    });
    expect(audit.map((a) => `${a.action}:${(JSON.parse(a.details) as { outcome?: string }).outcome ?? ""}`)).toEqual([
      "app_registration.certificate_staged:",
      "app_registration.certificate_switched:refused",
      "app_registration.certificate_switched:switched",
      "app_registration.certificate_removed:",
    ]);
    expect(audit.map((a) => a.details).join("\n")).not.toContain("PRIVATE KEY");
  }, 120_000);

  it("a rotation to the standby certificate: waits for Entra, rolls back when it never accepts it, else canary, switch, the old one kept on standby", async () => {
    const rotation = await import("./rotation");
    const third = createSelfSignedCertificate("MSP console 2028", { days: 400 });
    let r = await row();
    const inUse = r.certificateThumbprint;
    expect(await rotation.startRotation("provider", { mode: "certificate" }, { actor: admin })).toMatchObject({
      ok: false,
      error: "Upload the new certificate as standby first (Certificate rollover), and its public key to the app registration in Entra.",
    });
    expect(await certificates.stageCertificate({ id: "provider", certificate: bundle(third), expectedVersion: r.version, actor: admin })).toMatchObject({
      ok: true,
    });

    // Entra never gets the new certificate: retried until the deadline, then rolled back; nothing changes.
    const t0 = new Date();
    const first = await rotation.startRotation("provider", { mode: "certificate" }, { actor: admin, now: t0 });
    expect(first).toMatchObject({ ok: true, data: { mode: "certificate", state: "accepting", newHint: third.thumbprintSha1.slice(0, 8) } });
    const firstId = first.ok ? first.data.id : "";
    await rotation.rotationTick(t0);
    expect((await rotation.getRotation("provider", firstId))!.timeline.at(-1)).toMatchObject({ step: "accepting", outcome: "waiting" });
    await rotation.rotationTick(new Date(t0.getTime() + 16 * 60_000));
    const rolledBack = (await rotation.getRotation("provider", firstId))!;
    expect(rolledBack).toMatchObject({ state: "rolled_back", error: "Microsoft did not accept the new certificate in time." });
    expect(rolledBack.timeline.at(-1)!.message).toContain("stays in use; the new one");
    r = await row();
    expect(r).toMatchObject({ certificateThumbprint: inUse, standbyCertificateThumbprint: third.thumbprintSha1, standbyCertificateRetiredAt: null });
    const alert = await db.alertEvent.findFirstOrThrow({ where: { type: "rotation.failed", title: 'Certificate rotation of "Emulator" rolled back' } });
    // The alert's text speaks of the certificate, not of a secret.
    expect(eventLines(alert.type, JSON.parse(alert.data) as Record<string, unknown>)).toContain(
      "The old certificate stays in use; the new one was not switched to. Nothing else changed.",
    );

    // Uploaded to Entra: accepted, the canary verifies tenants with it, the switch, the grace period.
    emu.state.addCertificate(FIXTURE.providerClientId, third.certPem);
    const t1 = new Date(t0.getTime() + 20 * 60_000);
    const second = await rotation.startRotation("provider", { mode: "certificate" }, { actor: admin, now: t1 });
    const id = second.ok ? second.data.id : "";
    await rotation.rotationTick(t1);
    await rotation.rotationTick(new Date(t1.getTime() + 60_000));
    const grace = (await rotation.getRotation("provider", id))!;
    expect(grace.state).toBe("grace");
    expect(grace.timeline.find((e) => e.step === "canary")!.message).toMatch(/^Canary passed: 5 tenant\(s\) verified with the new certificate/);
    r = await row();
    expect(r).toMatchObject({ certificateThumbprint: third.thumbprintSha1, standbyCertificateThumbprint: inUse });
    expect(await signingThumbprint()).toBe(third.thumbprintSha1);
    await rotation.rotationTick(new Date(t1.getTime() + 125 * 60_000));
    const done = (await rotation.getRotation("provider", id))!;
    expect(done.state).toBe("completed");
    expect(done.timeline.map((e) => `${e.step}:${e.outcome}`)).toEqual([
      "created:ok",
      "accepted:ok",
      "canary:ok",
      "switched:ok",
      "grace:waiting",
      "completed:info",
    ]);
    expect(await verifyAll()).toMatchObject({ status: "COMPLETED", failed: 0 });
  }, 120_000);
});

import type { RunningEmulator } from "@/emulator/index";
import { hashPassword } from "@/lib/auth/passwords";
import { recordAudit, systemActor } from "@/lib/audit";
import { browserBindingValue } from "@/lib/consent/browser-binding";
import { handleCallback } from "@/lib/consent/callback";
import { startConsent } from "@/lib/consent/flow";
import { createConsentLink } from "@/lib/consent/links";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import type { MethodId } from "@/lib/methods";
import { createChannel } from "@/lib/notify/channels/store";
import { notifyTick } from "@/lib/notify";
import { applyProviderSettings } from "@/lib/provider/settings";
import { assignTag, createTag } from "@/lib/tags/manage";
import { getRunProgress, startVerificationRun, waitForRun } from "@/lib/verification";
import { providerSettingsSchema } from "@/lib/validations/provider";

type ConsoleHints = {
  customerId?: string;
  authMethod?: MethodId;
  adminEmail?: string;
  expectedState?: string;
  appClientId?: string;
  appClientSecret?: string;
  username?: string;
  password?: string;
  refreshToken?: string;
  consentDecision?: "accept" | "cancel";
};

const DEMO_USER_PASSWORD = "Demo-Passw0rd!";

/** Runs the console's own consent flow as the customer's administrator would, without a browser. */
async function consentAs(emu: RunningEmulator, tenantId: string, user: string, decision: "accept" | "cancel", mfa: boolean) {
  const link = await createConsentLink({ tenantId, actor: systemActor });
  if (!link.ok) throw new Error(link.error);
  // One browser from start to finish: the same consent cookie value on Continue and at the callback.
  const browserKey = browserBindingValue(undefined);
  const started = await startConsent(new URL(link.data.url).pathname.split("/").pop()!, browserKey);
  if (!started.ok) throw new Error(started.error);
  const scenarioUser = emu.state.scenario.tenants.flatMap((t) => t.users).find((u) => u.userPrincipalName === user);
  emu.state.armInteraction({ user, password: scenarioUser?.password ?? DEMO_USER_PASSWORD, mfaCode: mfa ? scenarioUser?.mfaCode : undefined, decision });
  const response = await fetch(started.redirectTo, { redirect: "manual" });
  const location = response.headers.get("location");
  if (!location) throw new Error(`the emulator did not redirect (${response.status})`);
  return handleCallback(new URL(location), browserKey);
}

/** Replaces the refresh token inside a stored MSAL cache, to stand for an authorization unused for months. */
async function ageRefreshToken(tenantId: string, staleToken: string) {
  const credential = await db.tenantCredential.findUniqueOrThrow({ where: { tenantId_kind: { tenantId, kind: "MSAL_CACHE" } } });
  const binding = { table: "TenantCredential", rowId: credential.id, field: "secret" };
  const cache = JSON.parse(decryptSecret(credential.secret, binding)) as { RefreshToken?: Record<string, { secret: string }> };
  for (const entry of Object.values(cache.RefreshToken ?? {})) entry.secret = staleToken;
  await db.tenantCredential.update({
    where: { id: credential.id },
    data: { secret: encryptSecret(JSON.stringify(cache), binding), expiresAt: new Date(Date.now() - 86_400_000) },
  });
}

export async function seedDemo(input: { emu: RunningEmulator; redirectUrl: string; adminEmail: string; adminPassword: string }) {
  const { emu } = input;
  const scenario = emu.state.scenario;
  const provider = scenario.providerApp;
  const now = Date.now();
  const secret = provider.secrets.find((s) => new Date(s.endDateTime).getTime() > now);
  if (!secret?.secretText) throw new Error("The demo scenario's provider app has no valid secret");

  const admin = await db.adminUser.create({
    data: { id: newId(), email: input.adminEmail, name: "Demo administrator", role: "ADMINISTRATOR", passwordHash: await hashPassword(input.adminPassword) },
  });
  const actor = { type: "admin" as const, id: admin.id, label: admin.email };
  await recordAudit({ action: "admin.created", actor: systemActor, target: { type: "admin", id: admin.id }, details: { email: admin.email, via: "demo" } });

  const values = providerSettingsSchema.parse({
    clientId: provider.clientId,
    clientSecret: secret.secretText,
    redirectUrl: input.redirectUrl,
    cloud: "CUSTOM",
    customAuthorityHost: emu.authorityHost,
    customGraphHost: emu.graphHost,
    tokenVersion: "v2",
    scopes: "User.Read Organization.Read.All User.Read.All",
    requiredAppPermissions: provider.requiredApplicationPermissions.filter((p) => p !== "Application.Read.All").join(" "),
    requestOfflineAccess: true,
    homeTenantId: provider.homeTenantId,
  });
  const applied = await applyProviderSettings({ values, certificate: null, expectedVersion: 0, actor, requestId: "demo-seed" });
  if (!applied.ok) throw new Error(applied.error);

  let tenants = 0;
  for (const t of scenario.tenants) {
    const hints = (t as { console?: ConsoleHints }).console;
    if (!hints?.customerId || !hints.authMethod) continue;
    const id = newId();
    const domain = t.domains.find((d) => d.isDefault)?.name ?? t.domains[0]?.name ?? null;
    await db.tenant.create({
      data: {
        id,
        customerId: hints.customerId,
        displayName: t.displayName,
        entraTenantId: t.id,
        primaryDomain: domain,
        adminEmail: hints.adminEmail ?? `admin@${domain}`,
        authMethod: hints.authMethod,
        cloud: "CUSTOM",
        appClientId: hints.appClientId ?? null,
      },
    });
    tenants++;
    if (hints.authMethod === "PASSWORD" && hints.username && hints.password) {
      const credId = newId();
      await db.tenantCredential.create({
        data: {
          id: credId,
          tenantId: id,
          kind: "PASSWORD",
          label: hints.username,
          secret: encryptSecret(hints.password, { table: "TenantCredential", rowId: credId, field: "secret" }),
        },
      });
    }
    if (hints.appClientId && hints.appClientSecret) {
      const registration = t.appRegistrations?.find((a) => a.clientId === hints.appClientId);
      const end = registration?.secrets
        .map((s) => s.endDateTime)
        .sort()
        .pop();
      const credId = newId();
      await db.tenantCredential.create({
        data: {
          id: credId,
          tenantId: id,
          kind: "CLIENT_SECRET",
          label: hints.appClientId,
          hint: hints.appClientSecret.slice(0, 3),
          expiresAt: end ? new Date(end) : null,
          secret: encryptSecret(hints.appClientSecret, { table: "TenantCredential", rowId: credId, field: "secret" }),
        },
      });
    }
    const admin = hints.adminEmail ?? `admin@${domain}`;
    const mfa = Boolean(t.users.find((u) => u.userPrincipalName === admin)?.mfa);
    if (hints.authMethod === "AUTH_TOKEN" && hints.expectedState !== "consent_on_sign_in") {
      const outcome = await consentAs(emu, id, admin, "accept", mfa);
      if (outcome.kind !== "success") throw new Error(`demo consent for ${hints.customerId} failed: ${outcome.kind}`);
      if (hints.refreshToken) await ageRefreshToken(id, hints.refreshToken);
      if (hints.expectedState?.startsWith("refresh_token_revoked")) emu.state.revokeUserRefreshTokens(admin);
    }
    if (hints.consentDecision === "cancel") await consentAs(emu, id, admin, "cancel", mfa);
  }

  // Customers whose tenant the directory does not know (a typo in the domain, or the wrong cloud).
  const extra = (
    scenario as { console?: { customersWithoutTenant?: { customerId: string; displayName: string; tenantDomain: string; authMethod: MethodId }[] } }
  ).console;
  for (const c of extra?.customersWithoutTenant ?? []) {
    await db.tenant.create({
      data: {
        id: newId(),
        customerId: c.customerId,
        displayName: c.displayName,
        primaryDomain: c.tenantDomain,
        adminEmail: `admin@${c.tenantDomain}`,
        authMethod: c.authMethod,
        cloud: "CUSTOM",
      },
    });
    tenants++;
  }

  const { run } = await startVerificationRun({ trigger: "manual", requestedBy: admin.email, actor });
  await waitForRun(run.id);
  const progress = await getRunProgress(run.id);
  const alerts = await seedAlerts({ actor, ...mspMailboxes(scenario) });
  return { tenants, verified: progress?.verified ?? 0, warnings: progress?.warnings ?? 0, failed: progress?.failed ?? 0, ...alerts };
}

/** The MSP's alerts mailbox (a shared mailbox of its home tenant) and the NOC address beside it. */
function mspMailboxes(scenario: RunningEmulator["state"]["scenario"]): { mailbox: string; noc: string } {
  const home = scenario.tenants.find((t) => t.id === scenario.providerApp.homeTenantId);
  const mailbox = home?.users.find((u) => u.userPrincipalName.startsWith("alerts@"))?.userPrincipalName;
  if (!mailbox) throw new Error("The demo scenario's home tenant has no alerts@ mailbox");
  return { mailbox, noc: mailbox.replace(/^alerts@/, "noc@") };
}

/**
 * Alerts as a new user first sees them: a few tags on customers, an email channel through Microsoft Graph
 * (sendMail from the MSP's alerts mailbox, the default app registration holding Mail.Send in the MSP's own
 * tenant), one rule sending every incident to the NOC, and the first tick: the tenants the first Verify All
 * found Failed have open incidents, and their emails are in the emulator's mailboxes (/mailboxes).
 */
async function seedAlerts(input: { actor: { type: "admin"; id: string; label: string }; mailbox: string; noc: string }) {
  const ctx = { actor: input.actor, requestId: "demo-seed" };
  const tags: Record<string, string> = {};
  for (const [name, color] of [
    ["Managed — Gold", "amber"],
    ["Healthcare", "teal"],
    ["EU data boundary", "blue"],
  ] as const) {
    const made = await createTag({ name, color }, ctx);
    if (!made.ok) throw new Error(made.error);
    tags[name] = made.data.id;
  }
  const byCustomer = new Map((await db.tenant.findMany({ select: { id: true, customerId: true } })).map((t) => [t.customerId, t.id]));
  const pick = (ids: string[]) => ids.map((c) => byCustomer.get(c)).filter((id): id is string => !!id);
  const assignments: [string, string[]][] = [
    ["Managed — Gold", ["contosodental", "wingtiptoys", "alpineskihouse", "margiestravel"]],
    ["Healthcare", ["contosodental", "humongousinsurance"]],
    ["EU data boundary", ["alpineskihouse", "treyresearch", "fourthcoffee"]],
  ];
  for (const [name, customers] of assignments) {
    const assigned = await assignTag({ tagId: tags[name]!, tenantIds: pick(customers) }, ctx);
    if (!assigned.ok) throw new Error(assigned.error);
  }
  const channel = await createChannel({
    kind: "GRAPH_MAIL",
    name: "NOC mailbox (Microsoft Graph)",
    config: { appRegistrationId: "provider", mailbox: input.mailbox, to: [input.noc] },
    secrets: {},
  });
  await db.alertRule.create({
    data: {
      id: newId(),
      name: "Every incident to the NOC",
      events: JSON.stringify(["incident.opened", "incident.resolved", "credential.rejected", "run.new_failures"]),
      minSeverity: "info",
      channels: { create: [{ channelId: channel.id }] },
    },
  });
  const tick = await notifyTick();
  return { tags: Object.keys(tags).length, incidents: tick.opened, emails: tick.delivered };
}

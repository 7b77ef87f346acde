import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { reasonCodes, reasons, type Reason, type ReasonCode } from "@/lib/entra/reasons";
import { fixFor, type Fix, type FixContext } from "./fixes";
import { methodById, methods, remediationFor, switchTargetIds } from "./index";

// Issue 16, item 5: every reason × method (× the MSP's or the customer's own app, × a registration or
// none) has one in-place fix, and it leads where it says.

const appDir = path.join(process.cwd(), "app", "(console)");

/** The route file an in-console href lands on. */
function routeFileFor(href: string): string {
  const pathname = new URL(href, "http://console.test").pathname;
  const parts = pathname.split("/").filter(Boolean);
  if (parts[0] === "tenants" && parts.length === 2) return path.join(appDir, "tenants", "[tenantId]", "page.tsx");
  if (parts[0] === "tenants" && parts[2] === "diagnostics") return path.join(appDir, "tenants", "[tenantId]", "diagnostics", "route.ts");
  if (parts[0] === "settings" && parts[1] === "provider" && parts[2] === "new") return path.join(appDir, "settings", "provider", "new", "page.tsx");
  if (parts[0] === "settings" && parts[1] === "provider" && parts.length === 3) return path.join(appDir, "settings", "provider", "[id]", "page.tsx");
  throw new Error(`No known route for ${href}`);
}

const consentReasons: ReasonCode[] = ["APP_NOT_IN_TENANT", "CONSENT_REQUIRED", "CONSENT_DECLINED", "INSUFFICIENT_PERMISSIONS"];
const appCredentialReasons: ReasonCode[] = ["INVALID_SECRET", "SECRET_EXPIRED", "SECRET_EXPIRING", "BAD_CERTIFICATE", "APP_CREDENTIAL_BLOCKED"];

type Case = { reason: ReasonCode; ctx: FixContext; fix: Fix | null; text: string };

function cases(): Case[] {
  const out: Case[] = [];
  for (const reason of reasonCodes) {
    if (reason === "VERIFIED") continue;
    for (const m of methods) {
      for (const ownApp of m.id === "APP_REGISTRATION" ? [false, true] : [false]) {
        for (const registrationId of ["reg-1", null]) {
          const ctx: FixContext = { tenantId: "t-1", method: m.id, registrationId, cloud: "USGOV", ownApp };
          const remediation = remediationFor(m.id, reason, { ownApp });
          out.push({ reason, ctx, fix: fixFor(remediation, ctx), text: remediation.text });
        }
      }
    }
  }
  return out;
}

const name = (c: Case) => `${c.reason} on ${c.ctx.method}${c.ctx.ownApp ? " (own app)" : ""}${c.ctx.registrationId ? "" : " (no registration)"}`;

describe("a working fix for every reason", () => {
  it("offers one action for every reason on every method", () => {
    const all = cases();
    expect(all.length).toBe((reasonCodes.length - 1) * 8);
    for (const c of all) {
      expect(c.fix, name(c)).not.toBeNull();
      expect(c.fix!.label.length, name(c)).toBeGreaterThan(5);
      expect(c.text.length, name(c)).toBeGreaterThan(10);
    }
  });

  it("leads to a page or file that exists, for the tenant or the registration it names", () => {
    for (const c of cases()) {
      const fix = c.fix!;
      if (!("href" in fix)) continue;
      expect(fs.existsSync(routeFileFor(fix.href)), `${name(c)} → ${fix.href}`).toBe(true);
      if (fix.kind === "app_registration") expect(fix.href, name(c)).toBe(`/settings/provider/${c.ctx.registrationId}`);
      if (fix.kind === "add_app_registration") expect(fix.href, name(c)).toBe(`/settings/provider/new?cloud=${c.ctx.cloud}`);
      if (fix.kind === "enter_password") expect(fix.href, name(c)).toBe("/tenants/t-1?password=edit#authorization");
      if (fix.kind === "tenant_credentials") expect(fix.href, name(c)).toBe("/tenants/t-1?credentials=edit#credentials");
      if (fix.kind === "diagnostics") expect(fix.href, name(c)).toBe("/tenants/t-1/diagnostics");
    }
    // The pages read the parameters the fixes set.
    const tenantPage = fs.readFileSync(routeFileFor("/tenants/x"), "utf8");
    expect(tenantPage).toContain('passwordParam === "edit"');
    expect(tenantPage).toContain('credentialsParam === "edit"');
  });

  it("does what the method can do: a password only for password tenants, switches only to another method", () => {
    for (const c of cases()) {
      const fix = c.fix!;
      if (fix.kind === "enter_password") expect(c.ctx.method, name(c)).toBe("PASSWORD");
      if (fix.kind === "tenant_credentials") expect(c.ctx.ownApp || c.reason === "NOT_CONFIGURED", name(c)).toBe(true);
      if (fix.kind === "app_registration") expect(c.ctx.ownApp, name(c)).toBe(false);
      if (fix.kind === "switch_method") {
        expect(fix.to, name(c)).not.toBe(c.ctx.method);
        expect(switchTargetIds, name(c)).toContain(fix.to);
        expect(fix.then).toBe("consent_link");
        expect(fix.label, name(c)).toContain(methodById(fix.to).switchTo!.label);
      }
    }
  });

  it("sends consent, not settings, for missing consent; a password for a password tenant; the registration for its credential", () => {
    for (const c of cases()) {
      const fix = c.fix!;
      if (consentReasons.includes(c.reason)) expect(fix.kind, name(c)).toBe("consent_link");
      if ((reasons[c.reason] as Reason).transient) expect(fix.kind, name(c)).toBe("verify");
      if (appCredentialReasons.includes(c.reason)) {
        const expected = c.ctx.ownApp ? "tenant_credentials" : c.ctx.registrationId ? "app_registration" : "add_app_registration";
        expect(fix.kind, name(c)).toBe(expected);
      }
      if (c.ctx.method === "PASSWORD" && (c.reason === "INVALID_CREDENTIALS" || c.reason === "NOT_CONFIGURED"))
        expect(fix.kind, name(c)).toBe("enter_password");
      if (c.ctx.method === "AUTH_TOKEN" && (c.reason === "NOT_CONFIGURED" || c.reason === "REAUTHORIZATION_REQUIRED" || c.reason === "MFA_REQUIRED"))
        expect(fix.kind, name(c)).toBe("consent_link");
      if (c.ctx.method === "PASSWORD" && c.reason === "MFA_REQUIRED") expect(fix).toMatchObject({ kind: "switch_method", to: "AUTH_TOKEN" });
      if (c.reason === "NO_APP_REGISTRATION") expect(fix.kind, name(c)).toBe("add_app_registration");
      if (c.reason === "UNKNOWN" || c.reason === "TENANT_DISABLED") expect(fix.kind, name(c)).toBe("diagnostics");
    }
  });

  it("says in its text what the button does", () => {
    const says: Record<Fix["kind"], RegExp> = {
      consent_link: /consent link|re-authori[sz]e|sign in/i,
      switch_method: /switch/i,
      enter_password: /password|username/i,
      tenant_credentials: /credentials panel|secret|certificate|app registration|encryption_key/i,
      app_registration: /app registration|secret|certificate|host|encryption_key/i,
      add_app_registration: /app registration|encryption_key/i,
      edit_tenant: /tenant id|domain|cloud|email|account/i,
      verify: /verify again|wait|checks again/i,
      diagnostics: /support|diagnostics|customer|conditional access/i,
    };
    for (const c of cases()) expect(c.text, `${name(c)}: ${c.fix!.kind}`).toMatch(says[c.fix!.kind]);
  });
});

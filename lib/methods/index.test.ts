import { describe, expect, it } from "vitest";
import { reasonCodes, remediationActions } from "@/lib/entra/reasons";
import { AuthMethod, ConsentFlow, CredentialKind } from "@/lib/generated/prisma/enums";
import {
  authorizationState,
  type AuthorizationState,
  consentFlowFor,
  credentialKinds,
  credentialLabel,
  explainStatus,
  methodById,
  methodForFlow,
  methodFromCsv,
  methodIds,
  type MethodId,
  methods,
  preferredMethod,
  switchTargetIds,
} from ".";

describe("the authentication method registry", () => {
  it("declares exactly the methods of the Prisma enum, once each", () => {
    expect([...methodIds].sort()).toEqual(Object.values(AuthMethod).sort());
    expect(new Set(methodIds).size).toBe(methods.length);
    for (const id of methodIds) expect(methodById(id).id).toBe(id);
  });

  it("gives every method its labels, description, credentials, consent, CSV values, authorization and verify", () => {
    for (const m of methods) {
      expect(m.label, m.id).toBeTruthy();
      expect(m.shortLabel, m.id).toBeTruthy();
      expect(m.description.length, m.id).toBeGreaterThan(20);
      expect(m.credentials.length, m.id).toBeGreaterThan(0);
      for (const c of m.credentials) expect(c.label, `${m.id} ${c.kind}`).toBeTruthy();
      expect(m.csvAliases.length, m.id).toBeGreaterThan(0);
      expect(typeof m.verify, m.id).toBe("function");
      expect(typeof m.authorization.hasCredential, m.id).toBe("function");
      expect(m.authorization.withoutCredentials, m.id).toBeTruthy();
      if (m.switchTo) expect(m.switchTo.label, m.id).toMatch(/^Switch to /);
    }
    expect(new Set(methods.map((m) => m.label)).size).toBe(methods.length);
    expect(new Set(methods.map((m) => m.shortLabel)).size).toBe(methods.length);
  });

  it("has a remediation with a known action and a text for every reason on every method", () => {
    for (const m of methods) {
      for (const code of reasonCodes) {
        const r = m.remediation(code);
        expect(remediationActions, `${m.id} ${code}`).toContain(r.action);
        expect(r.text.length, `${m.id} ${code}`).toBeGreaterThan(5);
      }
    }
  });

  it("offers fixes the console can carry out in place", () => {
    // "switch_method" switches to the preferred method in one click; consent links exist for every method.
    expect(switchTargetIds).toContain(preferredMethod.id);
    for (const m of methods) {
      for (const code of reasonCodes) {
        const { action } = m.remediation(code);
        if (action === "send_consent_link" || action === "reauthorize") expect(Object.values(ConsentFlow), `${m.id} ${code}`).toContain(consentFlowFor(m.id));
      }
    }
    // A tenant on username + password whose consent is missing gets the consent link, not the provider settings.
    expect(methodById("PASSWORD").remediation("CONSENT_REQUIRED").action).toBe("send_consent_link");
  });

  it("explains a stored status code with the reason and the method's remediation", () => {
    expect(explainStatus("APP_REGISTRATION", "INVALID_SECRET")).toMatchObject({
      code: "INVALID_SECRET",
      title: "Invalid client secret",
      remediation: { action: "rotate_secret" },
    });
    expect(explainStatus("PASSWORD", null)).toBeNull();
    expect(explainStatus("PASSWORD", "NO_SUCH_REASON")).toBeNull();
  });

  it("maps every consent flow to the one method it grants, and every method to the flow its consent link runs", () => {
    for (const flow of Object.values(ConsentFlow))
      expect(
        methods.filter((m) => "flow" in m.consent && m.consent.flow === flow),
        flow,
      ).toHaveLength(1);
    expect(methodForFlow("ADMIN_CONSENT").id).toBe("APP_REGISTRATION");
    expect(methodForFlow("AUTH_CODE").id).toBe("AUTH_TOKEN");
    expect(Object.fromEntries(methodIds.map((id) => [id, consentFlowFor(id)]))).toEqual({
      PASSWORD: "AUTH_CODE",
      AUTH_TOKEN: "AUTH_CODE",
      APP_REGISTRATION: "ADMIN_CONSENT",
    });
  });

  it("declares each credential kind of the Prisma enum under exactly one method", () => {
    const declared = methods.flatMap((m) => m.credentials.map((c) => c.kind));
    expect([...declared].sort()).toEqual(Object.values(CredentialKind).sort());
    expect([...credentialKinds].sort()).toEqual(Object.values(CredentialKind).sort());
    expect(credentialLabel("MSAL_CACHE")).toBe("Delegated token (refresh token)");
  });

  it("reads each method's id and aliases from an imported file, and no value names two methods", () => {
    const norm = (s: string) => s.toLowerCase().replace(/[\s_\-+()]/g, "");
    for (const m of methods) {
      // The exported value (the id) imports again.
      expect(methodFromCsv(norm(m.id)), m.id).toBe(m.id);
      for (const alias of m.csvAliases) expect(methodFromCsv(alias), alias).toBe(m.id);
    }
    const aliases = methods.flatMap((m) => m.csvAliases);
    expect(new Set(aliases).size).toBe(aliases.length);
    expect(methodFromCsv("fax")).toBeNull();
  });

  it("says whether the console is authorized the way each method stores its authorization", () => {
    const facts = (lastStatus: "NEVER" | "VERIFIED" | "WARNING" | "FAILED", kinds: CredentialKind[], lastStatusCode: string | null = null) => ({
      lastStatus,
      lastStatusCode,
      credentials: kinds.map((kind) => ({ kind, label: "admin@contoso.example", expiresAt: new Date("2030-01-01T00:00:00Z") })),
    });
    // Source 002: Not authorized (nothing to sign in with), Authorized (it works), Authorization broken (rejected).
    const cases: [MethodId, ReturnType<typeof facts>, AuthorizationState][] = [
      ["AUTH_TOKEN", facts("NEVER", []), "NOT_AUTHORIZED"],
      ["AUTH_TOKEN", facts("VERIFIED", []), "NOT_AUTHORIZED"],
      ["AUTH_TOKEN", facts("FAILED", [], "NOT_CONFIGURED"), "NOT_AUTHORIZED"],
      ["AUTH_TOKEN", facts("NEVER", ["MSAL_CACHE"]), "AUTHORIZED"],
      ["AUTH_TOKEN", facts("VERIFIED", ["MSAL_CACHE"]), "AUTHORIZED"],
      ["AUTH_TOKEN", facts("WARNING", ["MSAL_CACHE"], "REFRESH_TOKEN_EXPIRING"), "AUTHORIZED"],
      ["AUTH_TOKEN", facts("FAILED", ["MSAL_CACHE"], "REAUTHORIZATION_REQUIRED"), "BROKEN"],
      // A failed tenant is never "Authorized"; a throttled one the failure policy kept Verified is.
      ["AUTH_TOKEN", facts("FAILED", ["MSAL_CACHE"], "THROTTLED"), "BROKEN"],
      ["PASSWORD", facts("NEVER", []), "NOT_AUTHORIZED"],
      ["PASSWORD", facts("NEVER", ["PASSWORD"]), "AUTHORIZED"],
      ["PASSWORD", facts("FAILED", ["PASSWORD"], "MFA_REQUIRED"), "BROKEN"],
      ["APP_REGISTRATION", facts("NEVER", []), "NOT_AUTHORIZED"],
      ["APP_REGISTRATION", facts("FAILED", [], "APP_NOT_IN_TENANT"), "NOT_AUTHORIZED"],
      ["APP_REGISTRATION", facts("FAILED", [], "CONSENT_REQUIRED"), "NOT_AUTHORIZED"],
      ["APP_REGISTRATION", facts("FAILED", [], "NO_APP_REGISTRATION"), "NOT_AUTHORIZED"],
      ["APP_REGISTRATION", facts("VERIFIED", []), "AUTHORIZED"],
      ["APP_REGISTRATION", facts("WARNING", [], "SECRET_EXPIRING"), "AUTHORIZED"],
      ["APP_REGISTRATION", facts("FAILED", [], "SECRET_EXPIRED"), "BROKEN"],
      ["APP_REGISTRATION", facts("FAILED", [], "APP_CREDENTIAL_BLOCKED"), "BROKEN"],
      ["APP_REGISTRATION", facts("FAILED", [], "INSUFFICIENT_PERMISSIONS"), "BROKEN"],
      ["APP_REGISTRATION", facts("NEVER", ["CLIENT_SECRET"]), "AUTHORIZED"],
      ["APP_REGISTRATION", facts("FAILED", ["CLIENT_SECRET"], "INVALID_SECRET"), "BROKEN"],
    ];
    for (const [method, f, expected] of cases)
      expect(authorizationState(method, f), `${method} ${f.lastStatus} ${f.lastStatusCode} [${f.credentials.map((c) => c.kind)}]`).toBe(expected);
    const iso = (d: Date) => d.toISOString().slice(0, 10);
    expect(methodById("AUTH_TOKEN").authorization.summary({ ...facts("VERIFIED", ["MSAL_CACHE"]), authorized: true }, iso)).toBe(
      "Refresh token valid while used before 2030-01-01.",
    );
    expect(methodById("PASSWORD").authorization.summary({ ...facts("VERIFIED", ["PASSWORD"]), authorized: true }, iso)).toBe(
      "Legacy sign-in as admin@contoso.example. Microsoft is retiring this method: switch to a token.",
    );
  });
});

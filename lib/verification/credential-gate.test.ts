import { describe, expect, it } from "vitest";
import { classifyFailure, type EntraFailure } from "@/lib/entra/classify";
import type { AppSetup } from "@/lib/methods/method";
import { CredentialGate } from "./credential-gate";

const app: AppSetup = {
  clientId: "11111111-1111-4111-8111-111111111111",
  credential: { kind: "secret", secret: "abc8Q~secret" },
  kind: "provider",
  expiresAt: null,
};
const otherSecret: AppSetup = { ...app, credential: { kind: "secret", secret: "new8Q~secret" } };
const expired: EntraFailure = { flow: "client_credentials", kind: "server", httpStatus: 401, error: "invalid_client", errorCodes: [7000222], traceId: "t-1" };
const notInTenant: EntraFailure = { flow: "client_credentials", kind: "server", httpStatus: 400, error: "unauthorized_client", errorCodes: [700016] };

type Answer = { ok: true } | { ok: false; failure: EntraFailure };
/** A token call answered when the test says so, counting the calls sent. */
function deferredCalls() {
  const pending: ((a: Answer) => void)[] = [];
  return {
    sent: () => pending.length,
    call: () => new Promise<Answer>((resolve) => pending.push(resolve)),
    answer: (i: number, a: Answer) => pending[i]!(a),
  };
}

describe("the credential gate (provider-wide short circuit)", () => {
  it("sends one canary; when Microsoft rejects the credential, the waiting and later tenants are blocked without a call", async () => {
    const gate = new CredentialGate();
    const calls = deferredCalls();
    const results = Array.from({ length: 50 }, () => gate.pass(app, "login.example", calls.call));
    await new Promise((r) => setTimeout(r, 10));
    expect(calls.sent()).toBe(1);
    calls.answer(0, { ok: false, failure: expired });
    const answers = await Promise.all(results);
    expect(calls.sent()).toBe(1);
    expect(classifyFailure((answers[0] as { failure: EntraFailure }).failure)).toBe("SECRET_EXPIRED");
    for (const a of answers.slice(1)) {
      const failure = (a as { failure: EntraFailure }).failure;
      expect(classifyFailure(failure)).toBe("APP_CREDENTIAL_BLOCKED");
      // Microsoft's codes stay, the other tenant's trace id does not.
      expect(failure).toMatchObject({ errorCodes: [7000222] });
      expect(failure.traceId).toBeUndefined();
    }
    expect(await gate.pass(app, "login.example", calls.call)).toMatchObject({ ok: false });
    expect(calls.sent()).toBe(1);
    expect(gate.blocked).toBe(50);
  });

  it("opens on a tenant's own problem (app not in that tenant), so tenants are not checked one at a time", async () => {
    const gate = new CredentialGate();
    const calls = deferredCalls();
    const results = Array.from({ length: 5 }, () => gate.pass(app, "login.example", calls.call));
    await new Promise((r) => setTimeout(r, 10));
    calls.answer(0, { ok: false, failure: notInTenant });
    await new Promise((r) => setTimeout(r, 10));
    expect(calls.sent()).toBe(5);
    for (let i = 1; i < 5; i++) calls.answer(i, { ok: true });
    expect((await Promise.all(results)).filter((a) => a.ok)).toHaveLength(4);
  });

  it("closes when a credential is rejected mid-run, and keys each credential apart (a new secret is not blocked)", async () => {
    const gate = new CredentialGate();
    const calls = deferredCalls();
    const first = gate.pass(app, "login.example", calls.call);
    calls.answer(0, { ok: true });
    await first;
    const second = gate.pass(app, "login.example", calls.call);
    calls.answer(1, { ok: false, failure: expired });
    await second;
    expect(classifyFailure(((await gate.pass(app, "login.example", calls.call)) as { failure: EntraFailure }).failure)).toBe("APP_CREDENTIAL_BLOCKED");
    const fresh = gate.pass(otherSecret, "login.example", calls.call);
    calls.answer(2, { ok: true });
    expect(await fresh).toEqual({ ok: true });
    // Another cloud's host is another gate too.
    const otherCloud = gate.pass(app, "login.other.example", calls.call);
    calls.answer(3, { ok: true });
    expect(await otherCloud).toEqual({ ok: true });
  });

  it("lets the next call probe when the canary threw (cancelled) instead of answering", async () => {
    const gate = new CredentialGate();
    const canary = gate.pass(app, "login.example", () => Promise.reject(new Error("cancelled")));
    const calls = deferredCalls();
    const next = gate.pass(app, "login.example", calls.call);
    await expect(canary).rejects.toThrow("cancelled");
    await new Promise((r) => setTimeout(r, 10));
    expect(calls.sent()).toBe(1);
    calls.answer(0, { ok: true });
    expect(await next).toEqual({ ok: true });
  });
});

import "server-only";
import { APP_CREDENTIAL_BLOCKED_CODE, classifyFailure, type EntraFailure } from "@/lib/entra/classify";
import type { ReasonCode } from "@/lib/entra/reasons";
import { credentialFingerprint } from "@/lib/entra/msal-clients";
import type { AppSetup } from "@/lib/methods/method";

/**
 * The provider-wide short circuit. An app registration's own credential (its client secret or
 * certificate) is the same for every tenant that uses the app: once Microsoft rejects it as invalid,
 * expired or not matching, it will reject it for every other tenant too. A gate per app credential, for
 * one run in one process:
 * - the first token call of an app credential goes alone (a canary); the others wait for its answer;
 * - an answer that is not a rejection of the credential (success, or a tenant's own problem) opens the
 *   gate, and calls go as usual;
 * - a rejection closes it: no further call is sent with that credential in the run, and each waiting or
 *   later tenant gets a failure classified as APP_CREDENTIAL_BLOCKED (one cause, one fix), carrying the
 *   rejection's diagnostics.
 * A run over 1,000 tenants with the provider's secret expired thus sends one token request (plus the
 * calls already in flight when a credential is revoked mid-run), where it sent 1,000.
 * Only the calls of an app's own credential (client credentials, refresh-token redemption and ROPC
 * with the app) pass here; delegated consent flows do not.
 */

/** Reasons that condemn the app credential itself, whatever the tenant. */
export const APP_CREDENTIAL_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>(["INVALID_SECRET", "SECRET_EXPIRED", "BAD_CERTIFICATE"]);

type Answer = { ok: true } | { ok: false; failure: EntraFailure };
type Gate = { state: "probing" | "open" | "rejected"; answered: Promise<void>; release: () => void; rejection?: EntraFailure };

export class CredentialGate {
  private readonly gates = new Map<string, Gate>();
  /** Calls not sent because the credential was rejected (for the benchmark and tests). */
  blocked = 0;

  private key(app: AppSetup, loginHost: string): string {
    return `${loginHost}|${app.clientId}|${credentialFingerprint(app.credential)}`;
  }

  async pass<T extends Answer>(app: AppSetup, loginHost: string, call: () => Promise<T>): Promise<T | { ok: false; failure: EntraFailure; ms: number }> {
    const key = this.key(app, loginHost);
    for (;;) {
      const gate = this.gates.get(key);
      if (!gate) {
        let release!: () => void;
        const answered = new Promise<void>((r) => (release = r));
        const probe: Gate = { state: "probing", answered, release };
        this.gates.set(key, probe);
        return this.observe(probe, call);
      }
      if (gate.state === "rejected") return this.blockedBy(gate.rejection!);
      if (gate.state === "open") return this.observe(gate, call);
      await gate.answered;
    }
  }

  private async observe<T extends Answer>(gate: Gate, call: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await call();
    } catch (e) {
      // Not an answer about the credential (cancelled, an internal error): let the next call probe.
      if (gate.state === "probing") this.reopen(gate);
      throw e;
    }
    if (!result.ok && APP_CREDENTIAL_REASONS.has(classifyFailure(result.failure))) {
      gate.state = "rejected";
      gate.rejection = result.failure;
    } else if (gate.state === "probing") {
      gate.state = "open";
    }
    gate.release();
    return result;
  }

  private reopen(gate: Gate) {
    for (const [key, g] of this.gates) if (g === gate) this.gates.delete(key);
    gate.release();
  }

  private blockedBy(rejection: EntraFailure): { ok: false; failure: EntraFailure; ms: number } {
    this.blocked++;
    // What Microsoft answered for the rejected call (its codes), without that call's trace ids: those belong to another tenant.
    const { flow, error, errorCodes, httpStatus, suberror } = rejection;
    return {
      ok: false,
      ms: 0,
      failure: { flow, kind: "server", error, errorCodes, httpStatus, suberror, libraryCode: APP_CREDENTIAL_BLOCKED_CODE, attempts: 0 },
    };
  }
}

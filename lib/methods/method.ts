import type { EntraFailure } from "@/lib/entra/classify";
import { reasons, type Reason, type ReasonCode } from "@/lib/entra/reasons";
import type { AppCredential } from "@/lib/entra/msal-clients";
import type { AuthMethod, ConsentFlow, CredentialKind } from "@/lib/generated/prisma/enums";
import type { OutcomeDetails, VerificationOutcome } from "@/lib/verification/outcome";

/**
 * What an authentication method module declares (one file per method in this folder, listed once in
 * ./index.ts). Modules are plain data plus a `verify` that drives the shared verification steps through
 * the `VerifyContext` lib/verification/check.ts hands it, so they import nothing server-only and the
 * browser reads the same labels the server does.
 */

export type Remediation = Reason["remediation"];

export type CredentialDeclaration = {
  kind: CredentialKind;
  /** How the tenant page names the stored credential. Every credential is secret: only its metadata leaves the server. */
  label: string;
};

/** What the console knows when it says whether it is authorized for a tenant (lib/methods/authorization.ts). */
export type AuthorizationFacts = {
  lastStatus: "NEVER" | "VERIFIED" | "WARNING" | "FAILED";
  /** The reason of the last verification (a ReasonCode), null before the first. */
  lastStatusCode: string | null;
  credentials: { kind: CredentialKind; label?: string | null; expiresAt?: Date | null }[];
};

export type MethodModule<Id extends AuthMethod = AuthMethod> = {
  /** The Prisma enum value stored in Tenant.authMethod. */
  id: Id;
  /** The method's name in forms and on the tenant page. */
  label: string;
  /** The name in the table's Method column and filter. */
  shortLabel: string;
  /** How the console signs in with it, in one sentence (the REST API's description of the value). */
  description: string;
  /** Offered as a one-click switch (source 003's "Switch to …"); null when switching needs input, such as a password. */
  switchTo: { label: string; consequence: string } | null;
  /** The credential kinds verification reads for this method. */
  credentials: readonly CredentialDeclaration[];
  /**
   * How the customer's admin authorizes the console: the consent flow that grants this method, or, for a
   * method without one, the method a consent link moves the tenant to once completed.
   */
  consent: { flow: ConsentFlow } | { movesTo: AuthMethod };
  /**
   * Values accepted in an imported file's auth_method column, compared lower case without spaces, dashes
   * or underscores. The id's own form comes first, so an exported file imports again.
   */
  csvAliases: readonly string[];
  authorization: {
    /**
     * Whether the console holds what this method signs in with (a password, a delegated token, admin
     * consent or the customer's own app credential); whether it still works is the last verification's
     * answer (see authorizationState in ./authorization.ts).
     */
    hasCredential(facts: AuthorizationFacts): boolean;
    /** The sentence beside the authorization state on the tenant page. */
    summary(facts: AuthorizationFacts & { authorized: boolean }, formatDate: (d: Date) => string): string;
    /** Whether "Refresh access token" applies (a stored refresh token to redeem). */
    refreshable: boolean;
    /** What the tenant page says when the tenant has no stored credential. */
    withoutCredentials: string;
  };
  /**
   * The action and text for a reason on a tenant of this method: the reason's own unless the method
   * overrides it; `ownApp`: the tenant signs in with the customer's own app registration.
   */
  remediation(reason: ReasonCode, context?: RemediationContext): Remediation;
  verify(ctx: VerifyContext): Promise<OutcomeCore>;
};

export type RemediationContext = { ownApp?: boolean };

/**
 * Declares a method; `remediations` overrides the reasons' remediations where this method needs another,
 * `ownAppRemediations` where a tenant uses the customer's own app registration.
 */
export function defineMethod<const Id extends AuthMethod>(
  m: Omit<MethodModule<Id>, "remediation"> & {
    remediations?: Partial<Record<ReasonCode, Remediation>>;
    ownAppRemediations?: Partial<Record<ReasonCode, Remediation>>;
  },
): MethodModule<Id> {
  const { remediations = {}, ownAppRemediations = {}, ...rest } = m;
  return {
    ...rest,
    remediation: (reason, context) => (context?.ownApp ? ownAppRemediations[reason] : undefined) ?? remediations[reason] ?? reasons[reason].remediation,
  };
}

// ---- What lib/verification/check.ts gives a method's verify ----

/** An outcome before timing and identity are stamped on it. */
export type OutcomeCore = Omit<VerificationOutcome, "tenantId" | "startedAt" | "finishedAt" | "durationMs">;
export type Timings = OutcomeDetails["timings"];

/** An app the console signs in as: the provider's, or the tenant's own registration. */
export type AppSetup = { clientId: string; credential: AppCredential; kind: "provider" | "tenant"; expiresAt: Date | null };

export type StoredCredential = {
  id: string;
  kind: CredentialKind;
  label: string | null;
  expiresAt: Date | null;
  version: number;
  /** Decrypts on demand, so a credential the method does not use is never decrypted. */
  secret: () => string;
};

type TokenOk = { ok: true; accessToken: string; ms: number; attempts: number };
type TokenFailed = { ok: false; failure: EntraFailure; ms: number };
export type TokenAttempt = TokenOk | TokenFailed;
export type DelegatedAttempt = (TokenOk & { cacheJson: string; homeAccountId: string | null }) | TokenFailed;

export type GraphProbe =
  | {
      ok: true;
      organization: { id: string; displayName: string; defaultDomain: string | null } | null;
      userCount: number | null;
      ms: number;
      roundTrips: number;
    }
  | { ok: false; failure: EntraFailure; ms: number; roundTrips: number };

export type VerifyContext = {
  /** The provider's required application permissions. */
  requiredAppPermissions: string[];
  now: number;
  credential(kind: CredentialKind): StoredCredential | undefined;
  /** Stops the check as "Not configured", with a note naming what is missing (never a stored value). */
  notConfigured(note: string): never;
  /** The provider's multi-tenant app. */
  providerApp(): AppSetup;
  /** The tenant's own app registration when it has one, else the provider's app. */
  tenantApp(): AppSetup;
  /** Client credentials at the tenant's authority, never from cache. */
  appToken(app: AppSetup): Promise<TokenAttempt>;
  /** Redeems the refresh token in a stored MSAL cache. */
  refreshToken(app: AppSetup, cacheJson: string, homeAccountId: string | null): Promise<DelegatedAttempt>;
  /** Resource-owner password credentials. */
  passwordToken(app: AppSetup, username: string, password: string): Promise<TokenAttempt>;
  saveRotatedCache(credential: StoredCredential, cacheJson: string, homeAccountId: string | null, expiresAt: Date): Promise<void>;
  /** One Graph `$batch` of the organization (and the user count) with an app-only token. */
  probeOrganization(accessToken: string): Promise<GraphProbe>;
  /** The delegated steps shared by user tokens: tenant check, /me and organization, account match. */
  delegatedGraph(accessToken: string, timings: Timings, accessBreaksAt: Date | null, warnings: ReasonCode[], notes: string[]): Promise<OutcomeCore>;
  /** A note when the token's or organization's tenant is not the stored one. */
  tenantMismatch(tid: string | undefined, orgId: string | undefined): string | null;
  failed(code: ReasonCode, timings: Timings, extra?: Partial<OutcomeDetails>, accessBreaksAt?: Date | null): OutcomeCore;
  /** A failure from Microsoft (or the outbound policy), classified by its codes. */
  failure(f: EntraFailure, timings: Timings, extra?: Partial<OutcomeDetails>, accessBreaksAt?: Date | null): OutcomeCore;
  success(warnings: ReasonCode[], notes: string[], details: Partial<OutcomeDetails>, timings: Timings, accessBreaksAt: Date | null): OutcomeCore;
};

export const DAY_MS = 24 * 60 * 60 * 1000;
/** A secret or certificate closer than this to its expiry is a warning. */
export const SECRET_WARNING_MS = 30 * DAY_MS;

export function earliest(...dates: (Date | null | undefined)[]): Date | null {
  const valid = dates.filter((d): d is Date => d instanceof Date && !Number.isNaN(d.getTime()));
  return valid.length ? new Date(Math.min(...valid.map((d) => d.getTime()))) : null;
}

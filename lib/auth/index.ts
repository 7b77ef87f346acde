import "server-only";
import NextAuth, { CredentialsSignin, customFetch, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import type { OIDCConfig } from "next-auth/providers";
import { headers } from "next/headers";
import { randomUUID } from "node:crypto";
import { recordAudit } from "@/lib/audit";
import { safeRedirect } from "@/lib/auth/callback-url";
import { clientAssertion, signInFailure } from "@/lib/auth/entra/client";
import { findCertificate, isLocalSignInEnabled, loadEntraRuntime, type EntraRuntime } from "@/lib/auth/entra/settings";
import { admitEntraUser } from "@/lib/auth/entra/sign-in";
import { getAuthSecret } from "@/lib/auth/secret";
import { verifyPassword } from "@/lib/auth/passwords";
import { createAdminSession, revokeAdminSession } from "@/lib/auth/sessions";
import { accountThrottleKey, clearFailures, getLock, recordFailure, reserveAccountSlot, throttleKey } from "@/lib/auth/throttle";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { failureFromTokenResponse } from "@/lib/entra/classify";
import { callPolicy, EntraCallError, entraFetch } from "@/lib/entra/http";
import type { ReasonCode } from "@/lib/entra/reasons";
import { clientAddress } from "@/lib/net/client-address";
import { signInSchema } from "@/lib/validations/auth";

export class InvalidCredentials extends CredentialsSignin {
  code = "invalid_credentials";
}

export class TooManyAttempts extends CredentialsSignin {
  code = "too_many_attempts";
}

/**
 * Local email + password admins: the break-glass sign-in, switched off with LOCAL_SIGN_IN_ENABLED=false
 * or on Settings → Entra Authentication.
 */
const localCredentials = Credentials({
  id: "credentials",
  name: "Email and password",
  credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
  async authorize(raw, request) {
    if (!(await isLocalSignInEnabled())) throw new InvalidCredentials();
    const parsed = signInSchema.safeParse(raw);
    if (!parsed.success) throw new InvalidCredentials();
    const { email, password } = parsed.data;
    const address = clientAddress(request.headers);
    const requestId = request.headers.get("x-request-id") ?? randomUUID();
    const key = throttleKey(email, address);
    const accountKey = accountThrottleKey(email);
    const throttled = async (until: Date, scope: "address" | "account") => {
      await recordAudit({
        action: "auth.sign_in.throttled",
        actor: { type: "anonymous", label: email },
        requestId,
        details: { email, address, scope, lockedUntil: until.toISOString() },
      });
      return new TooManyAttempts();
    };

    const lockedUntil = await getLock(key);
    if (lockedUntil) throw await throttled(lockedUntil, "address");
    const slot = await reserveAccountSlot(accountKey);
    if ("refusedUntil" in slot) throw await throttled(slot.refusedUntil, "account");
    if (slot.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, slot.waitMs));

    const admin = await db.adminUser.findUnique({ where: { email } });
    // verifyPassword hashes against a placeholder when the account is unknown: same cost either way.
    const valid = await verifyPassword(admin?.passwordHash, password);
    if (!admin || !valid || admin.disabled) {
      const [locked] = await Promise.all([recordFailure(key), recordFailure(accountKey, undefined, { lock: false })]);
      await recordAudit({
        action: "auth.sign_in.failed",
        actor: { type: "anonymous", label: email },
        target: admin ? { type: "admin", id: admin.id } : undefined,
        requestId,
        details: { email, address, reason: admin?.disabled ? "disabled" : "invalid_credentials", locked: Boolean(locked) },
      });
      throw locked ? new TooManyAttempts() : new InvalidCredentials();
    }

    await clearFailures(key);
    await db.adminUser.update({ where: { id: admin.id }, data: { lastSignInAt: new Date() } });
    await recordAudit({
      action: "auth.sign_in.succeeded",
      actor: { type: "admin", id: admin.id, label: admin.email },
      target: { type: "admin", id: admin.id },
      requestId,
      details: { method: "credentials", address },
    });
    return { id: admin.id, email: admin.email, name: admin.name ?? admin.email };
  },
});

export const ENTRA_PROVIDER_ID = "entra";

/**
 * Sign-in with Microsoft failed at Microsoft (token request refused, metadata unreachable). Auth.js puts
 * a CredentialsSignin's `code` in its redirect to the sign-in page (`?error=CredentialsSignin&code=…`),
 * the one way to tell the person the reason; here the code is the reason from lib/entra/classify.ts.
 */
export class EntraSignInFailed extends CredentialsSignin {
  constructor(readonly reason: ReasonCode) {
    super();
    this.code = reason;
  }
}

const signInFetch = entraFetch({ policy: callPolicy("sign_in"), flow: "authorization_code" });

/** Audits a failed call of sign-in with the reason name verification would give it, and ends the sign-in. */
async function entraCallFailed(step: "token_refused" | "discovery_failed", failure: { entraReason: ReasonCode; codes: string }): Promise<never> {
  await recordAudit({ action: "auth.sign_in.refused", actor: { type: "anonymous", label: "entra" }, details: { method: "entra", reason: step, ...failure } });
  throw new EntraSignInFailed(failure.entraReason);
}

type EntraProfile = { oid?: string; preferred_username?: string; name?: string; email?: string };

/**
 * Sign-in with Microsoft: OpenID Connect against the configured Authority, discovery from the Metadata
 * Address. The app authenticates with the certificate named by the Certificate Thumbprint (a client
 * assertion with `x5t`, which Auth.js's own private_key_jwt cannot add), so the token request is
 * rewritten in customFetch, which also puts discovery and the token request on lib/entra/http.ts like
 * every call to Microsoft (guarded transport, sign-in policy; next-auth itself would allow http
 * discovery) and classifies a refusal by its error codes. The ID token is then checked again with seed
 * 001's rules in the signIn callback.
 */
function entraProvider(runtime: EntraRuntime): OIDCConfig<EntraProfile> {
  const s = runtime.settings;
  return {
    id: ENTRA_PROVIDER_ID,
    name: "Microsoft",
    type: "oidc",
    issuer: s.metadataAddress.replace(/\/?\.well-known\/openid-configuration$/, ""),
    clientId: s.clientId,
    clientSecret: "unused-certificate-assertion",
    client: { token_endpoint_auth_method: "client_secret_post" },
    authorization: { url: `${s.authority}oauth2/v2.0/authorize`, params: { scope: "openid profile email User.Read", prompt: "select_account" } },
    checks: ["pkce", "state", "nonce"],
    profile(p) {
      return { id: p.oid ?? "", email: p.preferred_username ?? p.email ?? null, name: p.name ?? null };
    },
    async [customFetch](input: RequestInfo | URL, init?: RequestInit) {
      const body = init?.body;
      const tokenRequest = init?.method === "POST";
      if (tokenRequest && body instanceof URLSearchParams && body.has("client_secret")) {
        const cert = await findCertificate(s.certificateThumbprint);
        if (!cert.ok) throw new Error(`Certificate Thumbprint: ${cert.problem}`);
        body.delete("client_secret");
        body.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        body.set("client_assertion", await clientAssertion(s.clientId, String(input instanceof Request ? input.url : input), cert.certificate));
      }
      const step = tokenRequest ? "token_refused" : "discovery_failed";
      let response: Response;
      try {
        response = await signInFetch(input, init);
      } catch (e) {
        if (e instanceof EntraCallError) return entraCallFailed(step, signInFailure(e));
        throw e;
      }
      if (!response.ok) {
        const failure = failureFromTokenResponse({
          flow: tokenRequest ? "authorization_code" : "discovery",
          endpoint: response.url,
          status: response.status,
          headers: Object.fromEntries(response.headers),
          body: await response
            .clone()
            .json()
            .catch(() => ({})),
        });
        return entraCallFailed(step, signInFailure(new EntraCallError(failure)));
      }
      return response;
    },
  };
}

export const authConfig = {
  secret: getAuthSecret(),
  trustHost: true,
  useSecureCookies: env.APP_URL.startsWith("https://"),
  // The cookie lasts as long as the longest session; its AdminSession row decides sooner (sign-out, idle).
  session: { strategy: "jwt", maxAge: Math.round(env.SESSION_MAX_HOURS * 60 * 60) },
  pages: { signIn: "/sign-in" },
  // Failed credentials are expected and audited; log other errors as one line without request data.
  logger: {
    error(error) {
      if (error instanceof CredentialsSignin) return;
      console.error(`[auth] ${error.name}: ${error.message}`);
    },
    warn(code) {
      console.warn(`[auth] warning ${code}`);
    },
  },
  providers: [localCredentials],
  callbacks: {
    redirect: safeRedirect,
    async signIn({ user, account }) {
      if (account?.provider !== ENTRA_PROVIDER_ID) return true;
      const admitted = await admitEntraUser({ idToken: account.id_token, accessToken: account.access_token });
      if (!admitted.ok) return `/sign-in?error=${encodeURIComponent(admitted.reason)}`;
      // The session is keyed by our AdminUser id, not by the Entra object id.
      user.id = admitted.adminId;
      user.email = admitted.email;
      user.name = admitted.name;
      return true;
    },
    async jwt({ token, user, account }) {
      if (user?.id) {
        // A sign-in (either provider): a new session row, whose id is the cookie's only reference to it.
        const request = await headers();
        token.sub = user.id;
        token.sid = await createAdminSession({
          adminId: user.id,
          method: account?.provider === ENTRA_PROVIDER_ID ? "entra" : "credentials",
          address: clientAddress(request),
          userAgent: request.get("user-agent"),
        });
      }
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      if (typeof token.sid === "string") session.sessionId = token.sid;
      return session;
    },
  },
  events: {
    async signOut(message) {
      const token = "token" in message ? message.token : null;
      if (!token?.sub) return;
      // Both sign-out paths (the sidebar's server action and POST /api/auth/signout) come through here.
      if (typeof token.sid === "string") await revokeAdminSession(token.sid, token.sub, "signed_out");
      await recordAudit({
        action: "auth.sign_out",
        actor: { type: "admin", id: token.sub, label: token.email ?? token.sub },
        target: { type: "admin", id: token.sub },
      });
    },
  },
} satisfies NextAuthConfig;

/** Read per request (lazy config), so a change on Settings → Entra Authentication needs no restart. */
async function currentAuthConfig(): Promise<NextAuthConfig> {
  const [localEnabled, runtime] = await Promise.all([isLocalSignInEnabled(), loadEntraRuntime()]);
  const providers: NextAuthConfig["providers"] = [];
  if (localEnabled) providers.push(localCredentials);
  if (runtime) providers.push(entraProvider(runtime));
  return { ...authConfig, providers };
}

export const { handlers, auth, signIn, signOut } = NextAuth(currentAuthConfig);

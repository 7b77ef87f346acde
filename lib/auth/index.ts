import "server-only";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { randomUUID } from "node:crypto";
import { recordAudit } from "@/lib/audit";
import { getAuthSecret } from "@/lib/auth/secret";
import { verifyPassword } from "@/lib/auth/passwords";
import { clearFailures, getLock, recordFailure, throttleKey } from "@/lib/auth/throttle";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { signInSchema } from "@/lib/validations/auth";

export class InvalidCredentials extends CredentialsSignin {
  code = "invalid_credentials";
}

export class TooManyAttempts extends CredentialsSignin {
  code = "too_many_attempts";
}

export function clientAddress(headers: Headers) {
  return headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip") || "unknown";
}

/** Local email + password admins: the break-glass sign-in, switched off with LOCAL_SIGN_IN_ENABLED=false. */
const localCredentials = Credentials({
  id: "credentials",
  name: "Email and password",
  credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
  async authorize(raw, request) {
    const parsed = signInSchema.safeParse(raw);
    if (!parsed.success) throw new InvalidCredentials();
    const { email, password } = parsed.data;
    const address = clientAddress(request.headers);
    const requestId = request.headers.get("x-request-id") ?? randomUUID();
    const key = throttleKey(email, address);

    const lockedUntil = await getLock(key);
    if (lockedUntil) {
      await recordAudit({
        action: "auth.sign_in.throttled",
        actor: { type: "anonymous", label: email },
        requestId,
        details: { email, address, lockedUntil: lockedUntil.toISOString() },
      });
      throw new TooManyAttempts();
    }

    const admin = await db.adminUser.findUnique({ where: { email } });
    // verifyPassword hashes against a placeholder when the account is unknown: same cost either way.
    const valid = await verifyPassword(admin?.passwordHash, password);
    if (!admin || !valid || admin.disabled) {
      const locked = await recordFailure(key);
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

export const authConfig = {
  secret: getAuthSecret(),
  trustHost: true,
  useSecureCookies: env.APP_URL.startsWith("https://"),
  session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
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
  providers: env.LOCAL_SIGN_IN_ENABLED ? [localCredentials] : [],
  callbacks: {
    async jwt({ token, user }) {
      if (user?.id) {
        const admin = await db.adminUser.findUnique({ where: { id: user.id }, select: { sessionVersion: true } });
        token.sub = user.id;
        token.sv = admin?.sessionVersion ?? 0;
      }
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      session.sessionVersion = typeof token.sv === "number" ? token.sv : 0;
      return session;
    },
  },
  events: {
    async signOut(message) {
      const token = "token" in message ? message.token : null;
      if (!token?.sub) return;
      await recordAudit({
        action: "auth.sign_out",
        actor: { type: "admin", id: token.sub, label: token.email ?? token.sub },
        target: { type: "admin", id: token.sub },
      });
    },
  },
} satisfies NextAuthConfig;

export const { handlers, auth, signIn, signOut } = NextAuth(authConfig);

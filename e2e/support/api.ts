import { randomBytes, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, request, type APIRequestContext, type APIResponse } from "@playwright/test";
import { encode } from "next-auth/jwt";
import { generateApiToken } from "../../lib/api-tokens/format";
import { baseURL } from "../../playwright.config";
import { E2E_DATA_DIR, e2eDb, releaseEntraTenants } from "./db";
import { DEMO, emulator } from "./emulator";

/** REST API helpers: API tokens written straight into the e2e database, clients, problem assertions. */

export type Role = "ADMINISTRATOR" | "OPERATOR" | "VIEWER";
export type ApiTokenFixture = { id: string; name: string; token: string; role: Role };

/** API_RATE_LIMIT_PER_MINUTE in playwright.config.ts's web server env. */
export const API_RATE_LIMIT = 120;

/** A fresh token per test: specs never share a rate-limit window or a last-use record. */
export async function createApiToken(
  role: Role,
  options: { expiresAt?: Date; revokedAt?: Date | null; name?: string; createdBy?: string } = {},
): Promise<ApiTokenFixture> {
  const t = generateApiToken();
  const id = randomUUID();
  const name = options.name ?? `e2e ${role.toLowerCase()} ${id.slice(0, 8)}`;
  await e2eDb.apiToken.create({
    data: {
      id,
      name,
      role,
      tokenHash: t.hash,
      prefix: t.prefix,
      createdBy: options.createdBy ?? "e2e",
      expiresAt: options.expiresAt ?? new Date(Date.now() + 86_400_000),
      revokedAt: options.revokedAt ?? null,
      revokedBy: options.revokedAt ? "e2e" : null,
    },
  });
  return { id, name, token: t.token, role };
}

/** A request context that sends the bearer token (none for anonymous calls); cookies are never sent. */
export async function apiClient(token?: string, headers: Record<string, string> = {}): Promise<APIRequestContext> {
  return request.newContext({
    baseURL: `${baseURL}/api/v1/`,
    extraHTTPHeaders: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
  });
}

export async function clients() {
  const [admin, operator, viewer] = await Promise.all([createApiToken("ADMINISTRATOR"), createApiToken("OPERATOR"), createApiToken("VIEWER")]);
  return {
    tokens: { admin, operator, viewer },
    admin: await apiClient(admin.token),
    operator: await apiClient(operator.token),
    viewer: await apiClient(viewer.token),
    anonymous: await apiClient(),
  };
}

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId: string;
  errors?: { path: string; message: string }[];
};

/** Asserts an RFC 9457 problem response of that status and kind, with the request id in body and header. */
export async function expectProblem(response: APIResponse, status: number, kind: string): Promise<Problem> {
  expect(response.status(), await response.text()).toBe(status);
  expect(response.headers()["content-type"]).toContain("application/problem+json");
  const body = (await response.json()) as Problem;
  expect(body).toMatchObject({ type: `https://tenant-access-console.local/problems/${kind}`, status });
  expect(body.title).toBeTruthy();
  expect(body.requestId).toBe(response.headers()["x-request-id"]);
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(ts|js):\d+|Bearer (ey|tac_)|tac_[A-Za-z0-9_-]{20}/);
  return body;
}

export async function json<T = Record<string, unknown>>(response: APIResponse, status = 200): Promise<T> {
  expect(response.status(), await response.text()).toBe(status);
  expect(response.headers()["x-request-id"]).toBeTruthy();
  return (await response.json()) as T;
}

/** Provider settings pointing at the emulator (as Settings → Provider app would save them), for PUT. */
export function emulatorProviderSettings() {
  return {
    clientId: DEMO.providerClientId,
    clientSecret: DEMO.providerSecret,
    redirectUrl: `${baseURL}/authenticate/OAuth2Callback`,
    cloud: "CUSTOM",
    customAuthorityHost: emulator.authorityHost,
    customGraphHost: emulator.graphHost,
    tokenVersion: "v2",
    scopes: "User.Read Organization.Read.All",
    requiredAppPermissions: "Organization.Read.All User.Read.All",
    requestOfflineAccess: true,
    homeTenantId: DEMO.homeTenantId,
  };
}

/** Seeds a tenant of the emulator's demo scenario (cloud Custom, application registration). */
export async function seedDemoTenant(prefix: string, which: "contoso" | "proseware" | "litware") {
  const t = DEMO[which];
  const id = randomUUID();
  const customerId = `${prefix}-${which}`;
  await releaseEntraTenants([t.id]);
  await e2eDb.tenant.create({
    data: {
      id,
      customerId,
      displayName: which,
      entraTenantId: t.id,
      primaryDomain: t.domain,
      adminEmail: t.admin,
      authMethod: "APP_REGISTRATION",
      cloud: "CUSTOM",
    },
  });
  return { id, customerId };
}

/** Reads server-sent events until the stream closes; returns the parsed `data` of each `progress` event. */
export function progressEvents(text: string): Record<string, unknown>[] {
  return text
    .split("\n\n")
    .filter((block) => block.includes("event: progress"))
    .map(
      (block) =>
        JSON.parse(
          block
            .split("\n")
            .find((l) => l.startsWith("data: "))!
            .slice(6),
        ) as Record<string, unknown>,
    );
}

/**
 * The session cookie a signed-in administrator's browser holds, minted the way the console mints it: an
 * AdminSession row, and next-auth's JWT (encrypted with the console's AUTH_SECRET) carrying its id, so a
 * spec can act as that browser without one.
 */
export async function consoleSessionCookie(admin: { id: string; email: string }): Promise<string> {
  const secret = (await readFile(path.join(E2E_DATA_DIR, "auth-secret"), "utf8")).trim();
  const salt = "authjs.session-token";
  const sid = randomBytes(32).toString("base64url");
  const now = Date.now();
  await e2eDb.adminSession.create({
    data: { id: sid, adminId: admin.id, method: "credentials", lastSeenAt: new Date(now), expiresAt: new Date(now + 3_600_000) },
  });
  const value = await encode({ token: { sub: admin.id, email: admin.email, sid }, secret, salt, maxAge: 3600 });
  return `${salt}=${value}`;
}

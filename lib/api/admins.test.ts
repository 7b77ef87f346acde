import { beforeAll, describe, expect, it } from "vitest";
import * as adminsRoute from "@/app/api/v1/admins/route";
import * as adminRoute from "@/app/api/v1/admins/[id]/route";
import * as resetRoute from "@/app/api/v1/admins/[id]/reset-password/route";
import * as revokeRoute from "@/app/api/v1/admins/[id]/revoke-sessions/route";
import { generateApiToken } from "@/lib/api-tokens/format";
import { verifyPassword } from "@/lib/auth/passwords";
import { createAdminSession } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { openApiDocument } from "./openapi";
import { adminListSchema } from "./schemas";

// /api/v1/admins: Administrator tokens only; the one-time password appears in the create and reset
// answers and nowhere else (not in the list, not in the audit log); the last Administrator stays.

type Handler = (r: Request, c: { params: Promise<Record<string, string>> }) => Promise<Response>;
let adminToken = "";
let operatorToken = "";

async function call(handler: Handler, method: string, path: string, token: string, body?: unknown, params: Record<string, string> = {}) {
  const res = await handler(
    new Request(`http://localhost/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
    { params: Promise.resolve(params) },
  );
  const text = await res.text();
  return { status: res.status, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : null, headers: res.headers };
}

beforeAll(async () => {
  await db.adminSession.deleteMany();
  await db.savedView.deleteMany();
  await db.adminUser.deleteMany();
  await db.auditEvent.deleteMany();
  const token = async (role: "ADMINISTRATOR" | "OPERATOR") => {
    const t = generateApiToken();
    await db.apiToken.create({
      data: { id: newId(), name: `admins ${role}`, role, tokenHash: t.hash, prefix: t.prefix, createdBy: "test", expiresAt: new Date(Date.now() + 86_400_000) },
    });
    return t.token;
  };
  adminToken = await token("ADMINISTRATOR");
  operatorToken = await token("OPERATOR");
});

describe("/admins", () => {
  it("is declared in the OpenAPI document", () => {
    const paths = openApiDocument().paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(["/admins", "/admins/{id}", "/admins/{id}/reset-password", "/admins/{id}/revoke-sessions"]));
  });

  it("adds, lists, changes, disables, resets and revokes; operators get 403; no password but the one-time one", async () => {
    expect((await call(adminsRoute.GET, "GET", "/admins", operatorToken)).status).toBe(403);
    expect((await call(adminsRoute.POST, "POST", "/admins", operatorToken, { email: "x@msp.example", role: "VIEWER" })).status).toBe(403);

    const lead = await call(adminsRoute.POST, "POST", "/admins", adminToken, { email: "Lead@MSP.example", name: "Lead", role: "ADMINISTRATOR" });
    expect(lead.status).toBe(201);
    expect(lead.body).toMatchObject({ email: "lead@msp.example", name: "Lead", role: "ADMINISTRATOR", disabled: false, source: "local", lastSignInAt: null });
    const leadId = lead.body!.id as string;
    const otp = lead.body!.oneTimePassword as string;
    expect(lead.headers.get("location")).toBe(`/api/v1/admins/${leadId}`);
    expect(await verifyPassword((await db.adminUser.findUniqueOrThrow({ where: { id: leadId } })).passwordHash, otp)).toBe(true);
    expect(lead.text).not.toContain("passwordHash");

    const twin = await call(adminsRoute.POST, "POST", "/admins", adminToken, { email: "lead@msp.example", role: "VIEWER" });
    expect(twin.status).toBe(409);

    const list = await call(adminsRoute.GET, "GET", "/admins", adminToken);
    expect(list.status).toBe(200);
    expect(adminListSchema.parse(list.body).items.map((a) => a.email)).toEqual(["lead@msp.example"]);
    expect(list.text).not.toMatch(/password/i);

    // The only Administrator: cannot be demoted or disabled.
    const demote = await call(adminRoute.PATCH, "PATCH", `/admins/${leadId}`, adminToken, { role: "VIEWER" }, { id: leadId });
    expect(demote.status).toBe(409);
    expect(demote.body?.detail).toContain("at least one enabled Administrator");
    expect((await call(adminRoute.PATCH, "PATCH", `/admins/${leadId}`, adminToken, { disabled: true }, { id: leadId })).status).toBe(409);
    expect((await call(adminRoute.PATCH, "PATCH", `/admins/${leadId}`, adminToken, {}, { id: leadId })).status).toBe(422);
    expect((await call(adminRoute.PATCH, "PATCH", "/admins/missing", adminToken, { disabled: true }, { id: "missing" })).status).toBe(404);

    const tech = await call(adminsRoute.POST, "POST", "/admins", adminToken, { email: "tech@msp.example", role: "OPERATOR" });
    const techId = tech.body!.id as string;
    await createAdminSession({ adminId: techId, method: "credentials" });
    const disabled = await call(adminRoute.PATCH, "PATCH", `/admins/${techId}`, adminToken, { disabled: true, role: "VIEWER" }, { id: techId });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id: techId, role: "VIEWER", disabled: true });
    expect(await db.adminSession.count({ where: { adminId: techId, revokedAt: null } })).toBe(0);

    await createAdminSession({ adminId: techId, method: "credentials" });
    const reset = await call(resetRoute.POST, "POST", `/admins/${techId}/reset-password`, adminToken, undefined, { id: techId });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ id: techId, email: "tech@msp.example", sessionsEnded: 1 });
    expect(reset.body!.oneTimePassword).not.toBe(tech.body!.oneTimePassword);

    await createAdminSession({ adminId: techId, method: "credentials" });
    const revoked = await call(revokeRoute.POST, "POST", `/admins/${techId}/revoke-sessions`, adminToken, undefined, { id: techId });
    expect(revoked).toMatchObject({ status: 200, body: { sessions: 1 } });

    const audit = await db.auditEvent.findMany({ where: { action: { startsWith: "admin." } }, orderBy: { at: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["admin.created", "admin.created", "admin.updated", "admin.password_reset", "admin.sessions_revoked"]);
    expect(audit.every((a) => a.actorType === "api_token" && a.actorLabel === "admins ADMINISTRATOR")).toBe(true);
    const stored = JSON.stringify(audit);
    for (const secret of [otp, tech.body!.oneTimePassword as string, reset.body!.oneTimePassword as string]) expect(stored).not.toContain(secret);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { startTestEmulator, TEST } from "@/emulator/testing/index";
import * as campaignsRoute from "@/app/api/v1/consent-campaigns/route";
import * as campaignRoute from "@/app/api/v1/consent-campaigns/[id]/route";
import * as invitationsRoute from "@/app/api/v1/consent-campaigns/[id]/invitations/route";
import * as resendRoute from "@/app/api/v1/invitations/[id]/resend/route";
import * as revokeRoute from "@/app/api/v1/invitations/[id]/revoke/route";
import { generateApiToken } from "@/lib/api-tokens/format";
import { findActiveConsentLink } from "@/lib/consent/links";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { applyEmulatorProvider } from "@/lib/provider/testing";
import { openApiDocument } from "./openapi";

// The REST API's consent campaigns: the declared contract, roles, bad input as problems, and what is stored.

type Handler = (r: Request, c: { params: Promise<Record<string, string>> }) => Promise<Response>;
let operatorToken = "";
let viewerToken = "";
let emu: RunningEmulator;
const tenantIds: string[] = [];

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
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

beforeAll(async () => {
  emu = await startTestEmulator();
  await applyEmulatorProvider(emu);
  const token = async (role: "OPERATOR" | "VIEWER") => {
    const t = generateApiToken();
    await db.apiToken.create({
      data: {
        id: newId(),
        name: `campaigns ${role}`,
        role,
        tokenHash: t.hash,
        prefix: t.prefix,
        createdBy: "test",
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    });
    return t.token;
  };
  operatorToken = await token("OPERATOR");
  viewerToken = await token("VIEWER");
  for (const n of [1, 2, 3]) {
    const id = `c${n}`;
    tenantIds.push(id);
    await db.tenant.create({
      data: {
        id,
        customerId: `CUST-${n}`,
        displayName: `Customer ${n}`,
        adminEmail: `admin@c${n}.example`,
        authMethod: "APP_REGISTRATION",
        cloud: "CUSTOM",
        // One Entra tenant, one customer: the first is the emulator's Fabrikam, the others directories of their own.
        entraTenantId: n === 1 ? TEST.fabrikamId : `0000000${n}-0000-4000-8000-00000000000${n}`,
        primaryDomain: n === 1 ? TEST.fabrikamDomain : `c${n}.example`,
      },
    });
  }
});

afterAll(async () => {
  await emu?.close();
});

describe("/consent-campaigns", () => {
  it("is declared in the OpenAPI document", () => {
    const paths = openApiDocument().paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        "/consent-campaigns",
        "/consent-campaigns/{id}",
        "/consent-campaigns/{id}/invitations",
        "/invitations/{id}/resend",
        "/invitations/{id}/revoke",
      ]),
    );
  });

  it("creates an export campaign, lists it with its summary and its invitations; revoke and resend", async () => {
    const viewer = await call(campaignsRoute.POST, "POST", "/consent-campaigns", viewerToken, { name: "API", tenantIds, delivery: "export" });
    expect(viewer.status).toBe(403);

    const created = await call(campaignsRoute.POST, "POST", "/consent-campaigns", operatorToken, { name: "API wave", tenantIds, delivery: "export" });
    expect(created.status).toBe(201);
    const links = created.body!.links as { customerId: string; adminEmail: string; url: string; expiresAt: string }[];
    expect(links.map((l) => l.customerId)).toEqual(["CUST-1", "CUST-2", "CUST-3"]);
    expect(links[0]!.adminEmail).toBe("admin@c1.example");
    const id = created.body!.id as string;

    const list = await call(campaignsRoute.GET, "GET", "/consent-campaigns", viewerToken);
    expect(list.status).toBe(200);
    const item = (list.body!.items as { id: string; summary: Record<string, unknown> }[]).find((c) => c.id === id)!;
    expect(item.summary).toMatchObject({ invited: 3, pending: 3, opened: 0, verified: 0, failed: 0 });

    const invitations = await call(invitationsRoute.GET, "GET", `/consent-campaigns/${id}/invitations`, viewerToken, undefined, { id });
    expect(invitations.status).toBe(200);
    const items = invitations.body!.items as { id: string; state: string; customerId: string; sentAt: string | null; linkToken?: string }[];
    expect(items.map((i) => [i.customerId, i.state])).toEqual([
      ["CUST-1", "sent"],
      ["CUST-2", "sent"],
      ["CUST-3", "sent"],
    ]);
    expect(items[0]!.sentAt).toMatch(/Z$/);
    expect(JSON.stringify(invitations.body)).not.toContain("linkToken");

    const revoked = await call(revokeRoute.POST, "POST", `/invitations/${items[0]!.id}/revoke`, operatorToken, undefined, { id: items[0]!.id });
    expect(revoked).toEqual({ status: 200, body: { state: "revoked" } });
    expect(await findActiveConsentLink(new URL(links[0]!.url).pathname.split("/").pop()!)).toBeNull();
    expect((await call(revokeRoute.POST, "POST", `/invitations/${items[0]!.id}/revoke`, operatorToken, undefined, { id: items[0]!.id })).status).toBe(409);

    const resent = await call(resendRoute.POST, "POST", `/invitations/${items[1]!.id}/resend`, operatorToken, undefined, { id: items[1]!.id });
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ state: "sent", link: { customerId: "CUST-2" } });
    expect(await findActiveConsentLink(new URL(links[1]!.url).pathname.split("/").pop()!)).toBeNull();

    const filtered = await call(invitationsRoute.GET, "GET", `/consent-campaigns/${id}/invitations?state=revoked`, viewerToken, undefined, { id });
    expect((filtered.body!.items as { customerId: string }[]).map((i) => i.customerId)).toEqual(["CUST-1"]);

    const one = await call(campaignRoute.GET, "GET", `/consent-campaigns/${id}`, viewerToken, undefined, { id });
    expect(one.body).toMatchObject({ id, name: "API wave", delivery: "export", summary: { invited: 3, pending: 2, closed: 1 } });
  });

  it("answers bad input with the fields that are wrong", async () => {
    const bad = await call(campaignsRoute.POST, "POST", "/consent-campaigns", operatorToken, { name: "", tenantIds, delivery: "export", reminderDays: [40] });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toMatch(/Name the campaign/);
    expect(JSON.stringify(bad.body)).toMatch(/1 to 30 days/);
    const none = await call(campaignsRoute.POST, "POST", "/consent-campaigns", operatorToken, { name: "x", tenantIds: [], delivery: "export" });
    expect(none.status).toBe(422);
    expect(JSON.stringify(none.body)).toMatch(/Choose at least one tenant/);
    expect((await call(campaignRoute.GET, "GET", "/consent-campaigns/nope", viewerToken, undefined, { id: "nope" })).status).toBe(404);
  });
});

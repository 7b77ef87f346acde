import { beforeAll, describe, expect, it } from "vitest";
import { POST as acknowledge } from "@/app/api/v1/incidents/[id]/acknowledge/route";
import { GET as listIncidentsRoute } from "@/app/api/v1/incidents/route";
import { DELETE as deleteRule, GET as getRule, PUT as putRule } from "@/app/api/v1/alert-rules/[id]/route";
import { GET as listRules, POST as createRule } from "@/app/api/v1/alert-rules/route";
import { generateApiToken } from "@/lib/api-tokens/format";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { reconcileIncidents } from "@/lib/notify/incidents";
import { recordFailure } from "@/lib/tenants/status";
import { alertRuleListSchema, alertRuleSchema, incidentPageSchema, incidentSchema } from "./schemas";
import { openApiDocument } from "./openapi";

// REST for incidents (list, acknowledge) and alert rules (CRUD): declared shapes, roles, refusals.

const tokens: Record<"VIEWER" | "OPERATOR" | "ADMINISTRATOR", string> = { VIEWER: "", OPERATOR: "", ADMINISTRATOR: "" };
let channelId = "";
let tagId = "";
const tenants: string[] = [];

function call(
  handler: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>,
  method: string,
  url: string,
  options: { role?: keyof typeof tokens; body?: unknown; params?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { authorization: `Bearer ${tokens[options.role ?? "VIEWER"]}` };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  return handler(
    new Request(`http://localhost/api/v1${url}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) }),
    {
      params: Promise.resolve(options.params ?? {}),
    },
  );
}

beforeAll(async () => {
  for (const role of Object.keys(tokens) as (keyof typeof tokens)[]) {
    const t = generateApiToken();
    await db.apiToken.create({
      data: { id: newId(), name: `alerts-${role}`, role, tokenHash: t.hash, prefix: t.prefix, createdBy: "test", expiresAt: new Date(Date.now() + 86_400_000) },
    });
    tokens[role] = t.token;
  }
  channelId = newId();
  await db.notificationChannel.create({
    data: { id: channelId, name: "NOC webhook", kind: "WEBHOOK", config: JSON.stringify({ url: "https://psa.example/hook" }) },
  });
  tagId = newId();
  await db.tag.create({ data: { id: tagId, name: "Gold", color: "amber" } });
  for (const [label, reason] of [
    ["alpha", "CONSENT_REQUIRED"],
    ["bravo", "TENANT_DISABLED"],
    ["charlie", "CONSENT_REQUIRED"],
  ] as const) {
    const id = newId();
    await db.tenant.create({
      data: { id, customerId: label, displayName: `Tenant ${label}`, adminEmail: `admin@${label}.example`, authMethod: "APP_REGISTRATION" },
    });
    await recordFailure(id, { reasonCode: reason, message: reason });
    tenants.push(id);
  }
  await db.tenantTag.create({ data: { tenantId: tenants[0]!, tagId } });
  await reconcileIncidents();
});

describe("GET /incidents", () => {
  it("is in the OpenAPI document with the acknowledge and rule endpoints", () => {
    const paths = openApiDocument().paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(["/incidents", "/incidents/{id}/acknowledge", "/alert-rules", "/alert-rules/{id}"]));
  });

  it("lists incidents with their state, tags and counts, filtered by state, tag and reason", async () => {
    const all = incidentPageSchema.parse(await (await call(listIncidentsRoute, "GET", "/incidents")).json());
    expect(all.total).toBe(3);
    expect(all.stats).toMatchObject({ open: 3, acknowledged: 0, resolved: 0, meanSecondsToResolve: null });
    expect(all.items.every((i) => i.state === "open")).toBe(true);
    const gold = incidentPageSchema.parse(await (await call(listIncidentsRoute, "GET", `/incidents?tag=${tagId}`)).json());
    expect(gold.items.map((i) => i.customerId)).toEqual(["alpha"]);
    expect(gold.items[0]!.tags).toEqual([{ id: tagId, name: "Gold", color: "amber" }]);
    const consent = incidentPageSchema.parse(await (await call(listIncidentsRoute, "GET", "/incidents?reason=CONSENT_REQUIRED")).json());
    expect(consent.items.map((i) => i.customerId).sort()).toEqual(["alpha", "charlie"]);
    expect((await call(listIncidentsRoute, "GET", "/incidents?state=closed")).status).toBe(400);
  });

  it("acknowledges for operators, records who, and refuses viewers", async () => {
    const [first] = incidentPageSchema.parse(await (await call(listIncidentsRoute, "GET", "/incidents?reason=TENANT_DISABLED")).json()).items;
    expect((await call(acknowledge, "POST", `/incidents/${first!.id}/acknowledge`, { params: { id: first!.id } })).status).toBe(403);
    const res = await call(acknowledge, "POST", `/incidents/${first!.id}/acknowledge`, { role: "OPERATOR", params: { id: first!.id } });
    expect(res.status).toBe(200);
    expect(incidentSchema.parse(await res.json())).toMatchObject({ state: "acknowledged", acknowledgedBy: "alerts-OPERATOR" });
    expect(await db.auditEvent.count({ where: { action: "incident.acknowledged", targetId: first!.id } })).toBe(1);
    const acked = incidentPageSchema.parse(await (await call(listIncidentsRoute, "GET", "/incidents?state=acknowledged")).json());
    expect(acked.items.map((i) => i.id)).toEqual([first!.id]);
    expect((await call(acknowledge, "POST", "/incidents/missing/acknowledge", { role: "OPERATOR", params: { id: "missing" } })).status).toBe(404);
  });
});

describe("/alert-rules", () => {
  const valid = () => ({
    name: "NOC",
    events: ["incident.opened", "incident.resolved"],
    minSeverity: "info",
    channelIds: [channelId],
    tagIds: [tagId],
    quietStart: "22:00",
    quietEnd: "07:00",
    timeZone: "Europe/Berlin",
  });

  it("creates, reads, replaces and deletes a rule (administrators), with readable refusals", async () => {
    expect((await call(createRule, "POST", "/alert-rules", { role: "OPERATOR", body: valid() })).status).toBe(403);
    const bad = await call(createRule, "POST", "/alert-rules", {
      role: "ADMINISTRATOR",
      body: { ...valid(), channelIds: [], quietEnd: "", timeZone: "Mars/Olympus" },
    });
    expect(bad.status).toBe(422);
    const problem = (await bad.json()) as { errors?: Record<string, string[]> };
    expect(JSON.stringify(problem)).toContain("Choose at least one channel.");
    expect(JSON.stringify(problem)).toContain("Give both the start and the end of quiet hours, or neither.");
    expect(JSON.stringify(problem)).toContain("Unknown time zone");

    const created = await call(createRule, "POST", "/alert-rules", { role: "ADMINISTRATOR", body: valid() });
    expect(created.status).toBe(201);
    const rule = alertRuleSchema.parse(await created.json());
    expect(rule).toMatchObject({
      name: "NOC",
      channels: [{ id: channelId, name: "NOC webhook", kind: "WEBHOOK" }],
      tags: [{ id: tagId, name: "Gold" }],
      quietStart: "22:00",
    });
    expect((await call(createRule, "POST", "/alert-rules", { role: "ADMINISTRATOR", body: valid() })).status).toBe(409);
    const unknownChannel = await call(createRule, "POST", "/alert-rules", { role: "ADMINISTRATOR", body: { ...valid(), name: "other", channelIds: ["gone"] } });
    expect(unknownChannel.status).toBe(422);

    const list = alertRuleListSchema.parse(await (await call(listRules, "GET", "/alert-rules")).json());
    expect(list.items.map((r) => r.id)).toContain(rule.id);
    const put = await call(putRule, "PUT", `/alert-rules/${rule.id}`, {
      role: "ADMINISTRATOR",
      params: { id: rule.id },
      body: { ...valid(), tagIds: [], quietStart: "", quietEnd: "", minSeverity: "critical" },
    });
    expect(put.status).toBe(200);
    expect(alertRuleSchema.parse(await put.json())).toMatchObject({ tags: [], quietStart: null, minSeverity: "critical", version: 2 });
    expect(alertRuleSchema.parse(await (await call(getRule, "GET", `/alert-rules/${rule.id}`, { params: { id: rule.id } })).json()).minSeverity).toBe(
      "critical",
    );
    expect((await call(deleteRule, "DELETE", `/alert-rules/${rule.id}`, { role: "ADMINISTRATOR", params: { id: rule.id } })).status).toBe(204);
    expect((await call(getRule, "GET", `/alert-rules/${rule.id}`, { params: { id: rule.id } })).status).toBe(404);
    expect(await db.auditEvent.findMany({ where: { targetId: rule.id }, select: { action: true }, orderBy: { at: "asc" } })).toEqual([
      { action: "alert_rule.created" },
      { action: "alert_rule.updated" },
      { action: "alert_rule.deleted" },
    ]);
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { listChannelChoices } from "./alert-rules";
import { unresolvedIncidentCount } from "./incidents";

// What Settings → Alerts offers and the navigation's count, on the database: SQLite by default, PostgreSQL
// with TEST_DATABASE=postgres.

beforeAll(async () => {
  await db.notificationChannel.createMany({
    data: [
      {
        id: "ch-2",
        name: "Service desk webhook",
        kind: "WEBHOOK",
        config: '{"url":"https://example.invalid/hook"}',
        secret: "ciphertext",
        secretHint: "1 signing secret",
      },
      { id: "ch-1", name: "NOC mailbox", kind: "SMTP", enabled: false, config: '{"host":"smtp.example.invalid"}' },
    ],
  });
  await db.tag.createMany({
    data: [
      { id: "tag-b", name: "Gold", color: "amber" },
      { id: "tag-a", name: "Dental" },
    ],
  });
  await db.tenant.createMany({
    data: ["a", "b", "c"].map((k) => ({
      id: `t-${k}`,
      customerId: `cust-${k}`,
      displayName: k,
      adminEmail: `admin@${k}.example`,
      authMethod: "APP_REGISTRATION" as const,
    })),
  });
  const at = new Date("2026-12-01T10:00:00Z");
  await db.incident.createMany({
    data: [
      { id: "i-open", tenantId: "t-a", openKey: "t-a", reasonCode: "CONSENT_REQUIRED", openedAt: at },
      { id: "i-ack", tenantId: "t-b", openKey: "t-b", reasonCode: "SECRET_EXPIRED", openedAt: at, acknowledgedAt: at, acknowledgedBy: "a@msp.example" },
      { id: "i-done", tenantId: "t-c", reasonCode: "MFA_REQUIRED", openedAt: at, resolvedAt: new Date(at.getTime() + 60_000) },
    ],
  });
});

describe("alert rule choices", () => {
  it("lists channels by name with their kind's label and state, and nothing of their settings or secrets", async () => {
    expect(await listChannelChoices()).toEqual([
      { id: "ch-1", name: "NOC mailbox", kind: "SMTP", kindLabel: "Email (SMTP)", enabled: false },
      { id: "ch-2", name: "Service desk webhook", kind: "WEBHOOK", kindLabel: "Webhook (Standard Webhooks)", enabled: true },
    ]);
  });
});

describe("the navigation's incident count", () => {
  it("counts open and acknowledged incidents, not resolved ones", async () => {
    expect(await unresolvedIncidentCount()).toBe(2);
  });
});

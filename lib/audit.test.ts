import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { recordAudit, scrubDetails } from "./audit";

describe("audit log", () => {
  it("drops detail keys that look like secrets", () => {
    expect(scrubDetails({ email: "a@b.example", password: "x", clientSecret: "y", refresh_token: "z", changedFields: ["clientId"] })).toEqual({
      email: "a@b.example",
      changedFields: ["clientId"],
    });
  });

  it("records actor, target, request id and details", async () => {
    await recordAudit({
      action: "tenant.created",
      actor: { type: "admin", id: "admin-1", label: "ops@msp.example" },
      target: { type: "tenant", id: "tenant-1" },
      requestId: "req-1",
      details: { customerId: "contoso", secret: "never" },
    });
    const row = await db.auditEvent.findFirstOrThrow({ where: { targetId: "tenant-1" } });
    expect(row).toMatchObject({
      action: "tenant.created",
      actorType: "admin",
      actorId: "admin-1",
      actorLabel: "ops@msp.example",
      targetType: "tenant",
      requestId: "req-1",
    });
    expect(JSON.parse(row.details)).toEqual({ customerId: "contoso" });
  });
});

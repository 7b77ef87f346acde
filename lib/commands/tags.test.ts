import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { CommandError } from "@/lib/errors";
import { listTags, listTagsWithCounts, tenantTags } from "@/lib/data/tags";
import { runCommand, type CommandContext } from "./command";
import { assignTagCommand, createTagCommand, deleteTagCommand, removeTagCommand, setTenantTagsCommand, tagsQuery, updateTagCommand } from "./tags";

// Tags against the real database (SQLite, and PostgreSQL with TEST_DATABASE=postgres): authorized,
// parsed with messages for people, audited, and what is stored.

const ctxOf = (role: CommandContext["role"]): CommandContext => ({
  actor: { type: "admin", id: `a-${role}`, label: `${role.toLowerCase()}@msp.example` },
  role,
  requestId: `req-${role}`,
  principalKind: "admin",
});
const admin = ctxOf("ADMINISTRATOR");
const operator = ctxOf("OPERATOR");
const viewer = ctxOf("VIEWER");

async function refusal(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandError);
  return error as CommandError;
}

const tenant = (id: string) => ({
  id,
  customerId: id.toUpperCase(),
  displayName: id,
  adminEmail: `admin@${id}.example`,
  authMethod: "APP_REGISTRATION" as const,
});

beforeEach(async () => {
  await db.auditEvent.deleteMany();
  await db.tag.deleteMany();
  await db.tenant.deleteMany();
  await db.tenant.createMany({ data: ["t1", "t2", "t3"].map(tenant) });
});

describe("tag.create, tag.update, tag.delete", () => {
  it("creates a tag with a trimmed name and a palette colour, audited", async () => {
    const tag = await runCommand(createTagCommand, { name: "  Gold   customers ", color: "amber" }, admin);
    expect(tag).toMatchObject({ name: "Gold customers", color: "amber" });
    expect(await db.tag.findUniqueOrThrow({ where: { id: tag.id } })).toMatchObject({ name: "Gold customers", color: "amber" });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "tag.created" } });
    expect(audit).toMatchObject({ targetType: "tag", targetId: tag.id, actorLabel: "administrator@msp.example", requestId: "req-ADMINISTRATOR" });
    expect(JSON.parse(audit.details)).toEqual({ name: "Gold customers", color: "amber" });
    // No colour: grey.
    expect((await runCommand(createTagCommand, { name: "Plain" }, admin)).color).toBe("slate");
  });

  it("refuses an empty, too long or semicolon name and an unknown colour with messages for people; nothing is stored", async () => {
    const empty = await refusal(runCommand(createTagCommand, { name: "   " }, admin));
    expect(empty.code).toBe("validation");
    expect(empty.fieldErrors?.name).toEqual(["Enter a name for the tag."]);
    expect((await refusal(runCommand(createTagCommand, { name: "x".repeat(41) }, admin))).fieldErrors?.name).toEqual(["At most 40 characters."]);
    expect((await refusal(runCommand(createTagCommand, { name: "A;B" }, admin))).fieldErrors?.name).toEqual(["A tag name cannot contain a semicolon."]);
    expect((await refusal(runCommand(createTagCommand, { name: "Ok", color: "chartreuse" }, admin))).fieldErrors?.color).toEqual([
      "Choose one of the palette's colours.",
    ]);
    expect(await db.tag.count()).toBe(0);
  });

  it("refuses a duplicate name whatever its case, on create and on rename", async () => {
    const gold = await runCommand(createTagCommand, { name: "Gold" }, admin);
    const dup = await refusal(runCommand(createTagCommand, { name: "gOLD " }, admin));
    expect(dup.code).toBe("validation");
    expect(dup.fieldErrors?.name).toEqual(['A tag named "Gold" already exists. Choose another name, or use that tag.']);
    const silver = await runCommand(createTagCommand, { name: "Silver" }, admin);
    const renamed = await refusal(runCommand(updateTagCommand, { id: silver.id, name: "GOLD" }, admin));
    expect(renamed.fieldErrors?.name?.[0]).toContain('A tag named "Gold" already exists');
    expect((await listTags()).map((t) => t.name)).toEqual(["Gold", "Silver"]);
    // Changing the case of its own name is a rename, not a clash.
    expect(await runCommand(updateTagCommand, { id: gold.id, name: "GOLD" }, admin)).toMatchObject({ name: "GOLD" });
  });

  it("renames and recolours, audited with the previous name; an unknown tag is not found", async () => {
    const tag = await runCommand(createTagCommand, { name: "Healthcare", color: "teal" }, admin);
    expect(await runCommand(updateTagCommand, { id: tag.id, name: "Health", color: "pink" }, admin)).toEqual({ id: tag.id, name: "Health", color: "pink" });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "tag.updated" } });
    expect(JSON.parse(audit.details)).toMatchObject({ name: "Health", previousName: "Healthcare", changedFields: ["name", "color"] });
    const gone = await refusal(runCommand(updateTagCommand, { id: "no-such-tag", color: "red" }, admin));
    expect(gone.code).toBe("not-found");
    expect(gone.message).toBe("This tag no longer exists. Reload the page to see the current tags.");
    expect((await refusal(runCommand(updateTagCommand, { id: tag.id }, admin))).message).toBe("Change the name or the colour.");
  });

  it("deletes a tag and takes it off its tenants, which stay", async () => {
    const tag = await runCommand(createTagCommand, { name: "Legacy" }, admin);
    await runCommand(assignTagCommand, { tagId: tag.id, tenantIds: ["t1", "t2"] }, admin);
    expect(await runCommand(deleteTagCommand, { id: tag.id }, admin)).toEqual({ id: tag.id, name: "Legacy", tenants: 2 });
    expect(await db.tenantTag.count()).toBe(0);
    expect(await db.tenant.count()).toBe(3);
    expect(JSON.parse((await db.auditEvent.findFirstOrThrow({ where: { action: "tag.deleted" } })).details)).toEqual({ name: "Legacy", tenants: 2 });
    expect((await refusal(runCommand(deleteTagCommand, { id: tag.id }, admin))).code).toBe("not-found");
  });

  it("lets every role read the tags and only administrators change them", async () => {
    const tag = await runCommand(createTagCommand, { name: "Gold" }, admin);
    expect(await runCommand(tagsQuery, {}, viewer)).toEqual([{ ...tag, tenants: 0 }]);
    for (const ctx of [viewer, operator]) {
      expect((await refusal(runCommand(createTagCommand, { name: "X" }, ctx))).code).toBe("forbidden");
      expect((await refusal(runCommand(assignTagCommand, { tagId: tag.id, tenantIds: ["t1"] }, ctx))).code).toBe("forbidden");
    }
  });
});

describe("tenants.tag.assign and tenants.tag.remove", () => {
  it("put a tag on many tenants and take it off, counting only the changes, audited once per call", async () => {
    const tag = await runCommand(createTagCommand, { name: "Gold", color: "amber" }, admin);
    expect(await runCommand(assignTagCommand, { tagId: tag.id, tenantIds: ["t1", "t2"] }, admin)).toMatchObject({ tenants: 2, added: 2 });
    // Again with one more: the two that have it keep it.
    expect(await runCommand(assignTagCommand, { tagId: tag.id, tenantIds: ["t1", "t2", "t3", "t3"] }, admin)).toMatchObject({ tenants: 3, added: 1 });
    expect((await listTagsWithCounts())[0]).toMatchObject({ name: "Gold", tenants: 3 });
    const assigned = await db.auditEvent.findMany({ where: { action: "tenant.tag_assigned" }, orderBy: { id: "asc" } });
    expect(assigned.map((a) => JSON.parse(a.details))).toEqual([
      { name: "Gold", tenants: 2, added: 2, customerIds: ["T1", "T2"] },
      { name: "Gold", tenants: 3, added: 1, customerIds: expect.arrayContaining(["T1", "T2", "T3"]) },
    ]);
    expect(await runCommand(removeTagCommand, { tagId: tag.id, tenantIds: ["t1", "t3"] }, admin)).toMatchObject({ tenants: 2, removed: 2 });
    expect((await tenantTags("t2")).map((t) => t.name)).toEqual(["Gold"]);
    expect(await tenantTags("t1")).toEqual([]);
    expect(await db.auditEvent.count({ where: { action: "tenant.tag_removed" } })).toBe(1);
  });

  it("refuse unknown tenants and an unknown tag as a whole, saying which; nothing changes", async () => {
    const tag = await runCommand(createTagCommand, { name: "Gold" }, admin);
    const missing = await refusal(runCommand(assignTagCommand, { tagId: tag.id, tenantIds: ["t1", "gone-1", "gone-2"] }, admin));
    expect(missing.code).toBe("not-found");
    expect(missing.message).toBe("2 of the 3 selected tenants no longer exist; another admin may have deleted them. Update the table and try again.");
    const one = await refusal(runCommand(removeTagCommand, { tagId: tag.id, tenantIds: ["gone"] }, admin));
    expect(one.message).toBe("This tenant no longer exists; another admin may have deleted it.");
    const noTag = await refusal(runCommand(assignTagCommand, { tagId: "no-such-tag", tenantIds: ["t1"] }, admin));
    expect(noTag.code).toBe("not-found");
    expect(noTag.message).toBe("This tag no longer exists. Reload the page to see the current tags.");
    const none = await refusal(runCommand(assignTagCommand, { tagId: tag.id, tenantIds: [] }, admin));
    expect(none.fieldErrors?.tenantIds).toEqual(["Select at least one tenant."]);
    expect(await db.tenantTag.count()).toBe(0);
  });

  it("takes a selection larger than one statement's parameters", async () => {
    await db.tenant.createMany({ data: Array.from({ length: 1200 }, (_, i) => tenant(`bulk-${String(i).padStart(4, "0")}`)) });
    const tag = await runCommand(createTagCommand, { name: "Bulk" }, admin);
    const ids = (await db.tenant.findMany({ where: { id: { startsWith: "bulk-" } }, select: { id: true } })).map((t) => t.id);
    expect(await runCommand(assignTagCommand, { tagId: tag.id, tenantIds: ids }, admin)).toMatchObject({ tenants: 1200, added: 1200 });
    expect(await db.tenantTag.count({ where: { tagId: tag.id } })).toBe(1200);
    expect(await runCommand(removeTagCommand, { tagId: tag.id, tenantIds: ids }, admin)).toMatchObject({ removed: 1200 });
  });
});

describe("tenant.tags.set", () => {
  it("makes a tenant's tags exactly the list, audited on the tenant with what was added and removed", async () => {
    const gold = await runCommand(createTagCommand, { name: "Gold" }, admin);
    const eu = await runCommand(createTagCommand, { name: "eu" }, admin);
    const health = await runCommand(createTagCommand, { name: "Health" }, admin);
    expect((await runCommand(setTenantTagsCommand, { id: "t1", tagIds: [gold.id, eu.id] }, admin)).tags.map((t) => t.name)).toEqual(["eu", "Gold"]);
    expect((await runCommand(setTenantTagsCommand, { id: "t1", tagIds: [health.id, gold.id] }, admin)).tags.map((t) => t.name)).toEqual(["Gold", "Health"]);
    expect((await tenantTags("t1")).map((t) => t.name)).toEqual(["Gold", "Health"]);
    const audits = await db.auditEvent.findMany({ where: { action: "tenant.tags_set", targetType: "tenant", targetId: "t1" }, orderBy: { id: "asc" } });
    expect(audits.map((a) => JSON.parse(a.details))).toEqual([
      { customerId: "T1", added: ["Gold", "eu"], removed: [] },
      { customerId: "T1", added: ["Health"], removed: ["eu"] },
    ]);
    // The same list again changes nothing and records nothing.
    await runCommand(setTenantTagsCommand, { id: "t1", tagIds: [gold.id, health.id] }, admin);
    expect(await db.auditEvent.count({ where: { action: "tenant.tags_set" } })).toBe(2);
    expect((await runCommand(setTenantTagsCommand, { id: "t1", tagIds: [] }, admin)).tags).toEqual([]);
  });

  it("refuses an unknown tenant or tag", async () => {
    const gold = await runCommand(createTagCommand, { name: "Gold" }, admin);
    expect((await refusal(runCommand(setTenantTagsCommand, { id: "gone", tagIds: [gold.id] }, admin))).message).toBe(
      "This tenant no longer exists; another admin may have deleted it.",
    );
    const unknown = await refusal(runCommand(setTenantTagsCommand, { id: "t1", tagIds: [gold.id, "no-such-tag"] }, admin));
    expect(unknown.code).toBe("not-found");
    expect(unknown.message).toBe("This tag no longer exists. Reload the page to see the current tags.");
    expect(await db.tenantTag.count()).toBe(0);
  });
});

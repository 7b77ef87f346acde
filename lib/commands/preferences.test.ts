import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { getPreferences } from "@/lib/data/preferences";
import { CommandError } from "@/lib/errors";
import { runCommand, type CommandContext } from "./command";
import { updatePreferencesCommand } from "./preferences";

// Display preferences against the real database (SQLite, and PostgreSQL with TEST_DATABASE=postgres):
// each admin's own, any role, parsed, audited, a field left out kept.

const ctxOf = (id: string): CommandContext => ({
  actor: { type: "admin", id, label: `${id}@msp.example` },
  role: "VIEWER",
  requestId: `req-${id}`,
  principalKind: "admin",
});
const carol = ctxOf("pref-carol");
const dave = ctxOf("pref-dave");

async function refusal(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandError);
  return error as CommandError;
}

beforeAll(async () => {
  for (const id of ["pref-carol", "pref-dave"]) await db.adminUser.create({ data: { id, email: `${id}@msp.example`, role: "VIEWER" } });
});

describe("display preferences", () => {
  it("start at the defaults, keep each admin's own, and keep fields left out", async () => {
    expect(await getPreferences("pref-carol")).toEqual({ density: "comfortable", hiddenColumns: null, timeZone: null });
    await runCommand(updatePreferencesCommand, { density: "compact" }, carol);
    await runCommand(updatePreferencesCommand, { hiddenColumns: ["accessBreaksAt", "adminEmail"] }, carol);
    const saved = await runCommand(updatePreferencesCommand, { timeZone: "Europe/Paris" }, carol);
    // Columns come back in the table's order, whatever order they were sent in.
    expect(saved).toEqual({ density: "compact", hiddenColumns: ["adminEmail", "accessBreaksAt"], timeZone: "Europe/Paris" });
    expect(await getPreferences("pref-carol")).toEqual(saved);
    expect(await getPreferences("pref-dave")).toEqual({ density: "comfortable", hiddenColumns: null, timeZone: null });
    // Every column shown is a choice too (an empty list), and null returns to the browser's zone.
    expect(await runCommand(updatePreferencesCommand, { hiddenColumns: [], timeZone: null }, carol)).toEqual({
      density: "compact",
      hiddenColumns: [],
      timeZone: null,
    });
    const audit = await db.auditEvent.findMany({ where: { action: "admin.preferences_updated", actorId: "pref-carol" }, select: { details: true } });
    expect(audit).toHaveLength(4);
  });

  it("refuses an unknown zone, density or column with a message for people, and callers that are not people", async () => {
    const zone = await refusal(runCommand(updatePreferencesCommand, { timeZone: "Mars/Olympus" }, dave));
    expect(zone.code).toBe("validation");
    expect(zone.fieldErrors?.timeZone).toEqual(["Choose a time zone from the list."]);
    expect((await refusal(runCommand(updatePreferencesCommand, { density: "tiny" as "compact" }, dave))).fieldErrors?.density).toEqual([
      "Choose comfortable or compact.",
    ]);
    expect((await refusal(runCommand(updatePreferencesCommand, { hiddenColumns: ["customerId" as "adminEmail"] }, dave))).code).toBe("validation");
    const token: CommandContext = { actor: { type: "api_token", id: "t", label: "PSA" }, role: "ADMINISTRATOR", requestId: "r", principalKind: "api_token" };
    expect((await refusal(runCommand(updatePreferencesCommand, { density: "compact" }, token))).code).toBe("forbidden");
    expect(await getPreferences("pref-dave")).toEqual({ density: "comfortable", hiddenColumns: null, timeZone: null });
  });
});

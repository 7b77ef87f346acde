import { redirect } from "next/navigation";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { AdminRole } from "@/lib/generated/prisma/enums";
import { db } from "@/lib/db";
import { CHECK_FIELDS, CommandError } from "@/lib/errors";
import { adaptersFor, runAction, settle, SIGNED_OUT, type ActionEnvironment } from "./action";
import { defineCommand, defineQuery, permits, runCommand, type CommandContext } from "./command";

// The runner and the server-action adapter on their own: who may run what, how input is refused, and
// that an action answers every failure instead of throwing it at the browser. The caller comes from an
// explicit environment here; in the console it is the session (./server-action.ts).

const actor = { type: "admin" as const, id: "admin-1", label: "admin@msp.example" };
const ctxAs = (role: AdminRole): CommandContext => ({ actor, role, requestId: "req-1", principalKind: "admin" });
const envAs = (role: AdminRole | null): ActionEnvironment => ({
  requestId: async () => "req-42",
  caller: async () => (role ? { actor, role, principalKind: "admin" } : null),
});

let runs = 0;
const rename = defineCommand({
  name: "test.rename",
  role: "ADMINISTRATOR",
  audit: "admin.updated",
  denied: "Only administrators can rename.",
  input: z.object({
    name: z.string().trim().min(1, "Enter a name.").max(20, "At most 20 characters."),
    count: z.number().int("Whole numbers only.").optional(),
  }),
  run: async (ctx, input) => {
    runs++;
    await ctx.audit({ target: { type: "admin", id: "a-1" }, details: { name: input.name } });
    return { name: input.name };
  },
});

class LibraryError extends Error {
  readonly code = "E_LIB";
  constructor() {
    super("connect failed for postgresql://console:hunter2@db/console");
    this.name = "LibraryError";
  }
}

const broken = defineQuery({
  name: "test.broken",
  role: "VIEWER",
  input: z.object({}).optional(),
  run: async () => {
    throw new LibraryError();
  },
});

let logged: string[];
beforeEach(async () => {
  runs = 0;
  logged = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
  await db.auditEvent.deleteMany();
});
afterEach(() => vi.restoreAllMocks());

describe("runCommand", () => {
  it("refuses a role below the command's before parsing or running anything", async () => {
    for (const role of ["VIEWER", "OPERATOR"] as const) {
      const error = await runCommand(rename, { name: "" }, ctxAs(role)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CommandError);
      expect(error).toMatchObject({ code: "forbidden", message: "Only administrators can rename." });
    }
    expect(runs).toBe(0);
    expect(permits("OPERATOR", rename)).toBe(false);
    expect(permits("ADMINISTRATOR", rename)).toBe(true);
  });

  it("refuses input its schema rejects, with the schema's messages by field, and runs nothing", async () => {
    const error = await runCommand(rename, { name: " ", count: 1.5 }, ctxAs("ADMINISTRATOR")).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "validation", message: CHECK_FIELDS, fieldErrors: { name: ["Enter a name."], count: ["Whole numbers only."] } });
    const notAnObject = await runCommand(rename, "rename me", ctxAs("ADMINISTRATOR")).catch((e: unknown) => e);
    expect(notAnObject).toMatchObject({ code: "validation" });
    expect(runs).toBe(0);
  });

  it("runs with the parsed input and records the command's own audit action for the caller", async () => {
    await expect(runCommand(rename, { name: "  Ada " }, ctxAs("ADMINISTRATOR"))).resolves.toEqual({ name: "Ada" });
    const audit = await db.auditEvent.findFirstOrThrow();
    expect(audit).toMatchObject({ action: "admin.updated", actorId: "admin-1", actorLabel: "admin@msp.example", requestId: "req-1", targetId: "a-1" });
    expect(JSON.parse(audit.details)).toEqual({ name: "Ada" });
  });
});

describe("runAction", () => {
  it("answers a missing session, a refusal and a success as results", async () => {
    await expect(runAction(rename, () => ({ name: "Ada" }), envAs(null))).resolves.toEqual({ ok: false, error: SIGNED_OUT });
    await expect(runAction(rename, () => ({ name: "Ada" }), envAs("VIEWER"))).resolves.toEqual({ ok: false, error: "Only administrators can rename." });
    await expect(runAction(rename, () => ({ name: "" }), envAs("ADMINISTRATOR"))).resolves.toEqual({
      ok: false,
      error: CHECK_FIELDS,
      fieldErrors: { name: ["Enter a name."] },
    });
    await expect(runAction(rename, () => ({ name: "Ada" }), envAs("ADMINISTRATOR"), { present: (o) => o.name.length })).resolves.toEqual({ ok: true, data: 3 });
  });

  it("never throws: an unexpected failure is logged with the request id, without the library's message, and answered", async () => {
    const result = await runAction(broken, () => undefined, envAs("VIEWER"));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain("req-42");
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain("[action test.broken] request=req-42 failed: LibraryError E_LIB");
    expect(logged[0]).not.toContain("hunter2");

    // Failing to read the form, or to find the caller, is answered the same way.
    const unreadable = await runAction(
      rename,
      () => {
        throw new TypeError("form.get is not a function");
      },
      envAs("ADMINISTRATOR"),
    );
    expect(unreadable).toMatchObject({ ok: false, error: expect.stringContaining("req-42") });
    const noSession = await runAction(rename, () => ({ name: "Ada" }), { ...envAs(null), caller: () => Promise.reject(new LibraryError()) });
    expect(noSession).toMatchObject({ ok: false, error: expect.stringContaining("req-42") });
  });

  it("lets a redirect through: it is how an action navigates, not a failure", async () => {
    await expect(
      settle(
        "test.redirect",
        async () => "req-7",
        async () => redirect("/elsewhere"),
        () => "answered",
      ),
    ).rejects.toMatchObject({ digest: expect.stringContaining("NEXT_REDIRECT") });
    expect(logged).toEqual([]);
  });
});

describe("the action adapters", () => {
  const { actionFor, formActionFor } = adaptersFor(envAs("ADMINISTRATOR"));

  it("a button's action says what is wrong in the message, there being no field to highlight", async () => {
    await expect(actionFor(rename)({ name: "x".repeat(21) })).resolves.toEqual({ ok: false, error: "At most 20 characters." });
  });

  it("a form's action reads the form, keeps the field errors and gives back the fields it echoes", async () => {
    const action = formActionFor(rename, { read: (form) => ({ name: form.get("name") }), echo: ["name"] });
    const form = new FormData();
    form.set("name", "   ");
    await expect(action(null, form)).resolves.toEqual({ ok: false, error: CHECK_FIELDS, fieldErrors: { name: ["Enter a name."] }, values: { name: "   " } });
    form.set("name", "Grace");
    await expect(action(null, form)).resolves.toEqual({ ok: true, data: { name: "Grace" } });
  });
});

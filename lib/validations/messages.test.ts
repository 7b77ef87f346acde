import { describe, expect, it } from "vitest";
import { z } from "zod";
import "./messages";
import * as alertRule from "./alert-rule";
import * as apiToken from "./api-token";
import * as auth from "./auth";
import * as branding from "./branding";
import * as campaign from "./campaign";
import * as channel from "./channel";
import * as consent from "./consent";
import * as entraAuth from "./entra-auth";
import * as incident from "./incident";
import * as ownApp from "./own-app";
import * as provider from "./provider";
import * as savedView from "./saved-view";
import * as secret from "./secret";
import * as tenant from "./tenant";
import * as apiSchemas from "@/lib/api/schemas";

// zod's own wording, which must never reach a person: "Too big: expected string to have <=200 characters",
// "Invalid input: expected string, received number", "Required".
const MACHINE_WORDING = /expected|Invalid input|Too big|Too small|Required$/;

const modules = {
  alertRule,
  apiToken,
  auth,
  branding,
  campaign,
  channel,
  consent,
  entraAuth,
  incident,
  ownApp,
  provider,
  savedView,
  secret,
  tenant,
  apiSchemas,
};

const schemas = Object.entries(modules).flatMap(([module, exports]) =>
  Object.entries(exports as Record<string, unknown>)
    .filter((entry): entry is [string, z.ZodType] => entry[1] instanceof z.ZodType)
    .map(([name, schema]) => ({ name: `${module}.${name}`, schema })),
);

/** The object shape behind a schema (through pipes, transforms, refinements), or null. */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | null {
  const def = (schema as unknown as { def: { type: string; shape?: Record<string, z.ZodType>; in?: z.ZodType; innerType?: z.ZodType; schema?: z.ZodType } })
    .def;
  if (def.type === "object" && def.shape) return def.shape;
  const inner = def.in ?? def.innerType ?? def.schema;
  return inner ? shapeOf(inner) : null;
}

const LONG = "x".repeat(100_001);
const badValues: unknown[] = [undefined, null, "", "   ", LONG, 12345, -1, 1e12, true, [], {}, ["x"], "not an email @ at all", "javascript:alert(1)"];

async function messagesFor(schema: z.ZodType, input: unknown): Promise<string[]> {
  const result = await schema.safeParseAsync(input).catch(() => null);
  return result && !result.success ? result.error.issues.map((i) => i.message) : [];
}

describe("validation messages are written for people", () => {
  it("covers the form and query schemas", () => {
    expect(schemas.length).toBeGreaterThan(20);
    expect(schemas.map((s) => s.name)).toEqual(expect.arrayContaining(["tenant.tenantInputSchema", "entraAuth.entraAuthSettingsSchema"]));
  });

  it("gives no schema's bad values zod's machine wording", async () => {
    const leaks: string[] = [];
    let checked = 0;
    for (const { name, schema } of schemas) {
      const inputs: unknown[] = [...badValues];
      const shape = shapeOf(schema);
      if (shape) {
        for (const key of Object.keys(shape)) for (const bad of badValues) inputs.push({ [key]: bad });
        inputs.push(Object.fromEntries(Object.keys(shape).map((k) => [k, LONG])));
        inputs.push(Object.fromEntries(Object.keys(shape).map((k) => [k, 12345])));
      }
      for (const input of inputs) {
        for (const message of await messagesFor(schema, input)) {
          checked++;
          if (MACHINE_WORDING.test(message)) leaks.push(`${name}: ${message}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect([...new Set(leaks)]).toEqual([]);
  });

  it("says what is wrong in words: lengths, missing values, choices, formats", () => {
    const form = z.object({ name: z.string().trim().min(1).max(5), email: z.email(), kind: z.enum(["a", "b"]), count: z.coerce.number().int().max(10) });
    const result = form.safeParse({ name: "toolong", email: "nope", kind: "c", count: 11 });
    expect(result.success).toBe(false);
    expect(Object.fromEntries(result.error!.issues.map((i) => [i.path.join("."), i.message]))).toEqual({
      name: "At most 5 characters.",
      email: "Enter an email address such as name@example.com.",
      kind: "Choose one of: a, b.",
      count: "At most 10.",
    });
    expect(form.safeParse({}).error!.issues.map((i) => i.message)).toEqual([
      "Fill in this field.",
      "Fill in this field.",
      "Choose one of: a, b.",
      "Enter a number.",
    ]);
  });

  it("keeps a schema's own message", () => {
    expect(tenant.tenantInputSchema.safeParse({ customerId: "" }).error!.issues.find((i) => i.path[0] === "customerId")!.message).toBe(
      "Enter the customer id.",
    );
  });
});

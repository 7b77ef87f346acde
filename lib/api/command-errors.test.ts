import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { generateApiToken } from "@/lib/api-tokens/format";
import { defineCommand } from "@/lib/commands/command";
import { db } from "@/lib/db";
import { CommandError, commandErrorCodes, type CommandErrorCode } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { defineEndpoint } from "./endpoint";
import { apiRoute } from "./handler";
import { problemKinds } from "@/lib/http/problem";

// A command's refusal reaches an API client as the problem its code names: the status comes from
// problemKinds, whatever the message says. And no handler picks a status by reading a message.

let token = "";

beforeAll(async () => {
  const t = generateApiToken();
  await db.apiToken.create({
    data: {
      id: newId(),
      name: "command-errors",
      role: "OPERATOR",
      tokenHash: t.hash,
      prefix: t.prefix,
      createdBy: "test",
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  token = t.token;
});

const endpoint = defineEndpoint({
  operationId: "testRefusal",
  method: "POST",
  path: "/test",
  tag: "Test",
  summary: "Runs a command that refuses",
  role: "VIEWER",
  responses: { 204: { description: "Never." } },
});

function refusing(code: CommandErrorCode, message: string, fieldErrors?: Record<string, string[]>) {
  return defineCommand({
    name: "test.refuse",
    role: "VIEWER",
    audit: "admin.updated",
    input: z.object({}),
    run: async () => {
      throw new CommandError(code, message, fieldErrors ? { fieldErrors } : {});
    },
  });
}

async function call(command: ReturnType<typeof refusing>) {
  const handler = apiRoute(endpoint, async ({ run }) => {
    await run(command, {});
    return { status: 204 };
  });
  const response = await handler(new Request("http://localhost/api/v1/test", { method: "POST", headers: { authorization: `Bearer ${token}` } }), {
    params: Promise.resolve({}),
  });
  return { status: response.status, body: (await response.json()) as { type: string; detail?: string; errors?: { path: string; message: string }[] } };
}

describe("command refusals on the REST API", () => {
  it("answers every code with its problem kind's status", async () => {
    for (const code of commandErrorCodes) {
      const { status, body } = await call(refusing(code, `Refused: ${code}.`));
      expect(status, code).toBe(problemKinds[code].status);
      expect(body.type, code).toBe(`https://tenant-access-console.local/problems/${code}`);
    }
  });

  it("chooses the status by the code only: another message, even another code's usual one, changes nothing", async () => {
    const stale = "This tenant was changed by someone else since you opened it. Reload to see the current values, then make your change again.";
    expect((await call(refusing("not-found", stale))).status).toBe(404);
    expect((await call(refusing("version-conflict", "Tenant not found."))).status).toBe(409);
    expect((await call(refusing("conflict", "Anything at all."))).status).toBe(409);
  });

  it("sends a validation refusal's field errors as the problem's errors", async () => {
    const { status, body } = await call(
      refusing("validation", "Check the highlighted fields.", { customerId: ["A tenant with customer id ACME already exists."] }),
    );
    expect(status).toBe(422);
    expect(body.errors).toEqual([{ path: "customerId", message: "A tenant with customer id ACME already exists." }]);
  });

  it("authorizes in the command too: a token the endpoint lets in is refused by a command that needs more", async () => {
    const strict = defineCommand({ name: "test.strict", role: "ADMINISTRATOR", audit: "admin.updated", input: z.object({}), run: async () => "ran" });
    const handler = apiRoute(endpoint, async ({ run }) => {
      await run(strict, {});
      return { status: 204 };
    });
    const response = await handler(new Request("http://localhost/api/v1/test", { method: "POST", headers: { authorization: `Bearer ${token}` } }), {
      params: Promise.resolve({}),
    });
    expect(response.status).toBe(403);
  });
});

describe("the REST handlers", () => {
  const sources = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const full = path.join(dir, e.name);
      return e.isDirectory() ? sources(full) : /\.tsx?$/.test(e.name) && !e.name.endsWith(".test.ts") ? [full] : [];
    });
  const root = path.resolve(import.meta.dirname, "../..");
  const files = [...sources(path.join(root, "app/api")), ...sources(path.join(root, "lib/api"))];

  it("never decide on an error's message: no comparison with, or search in, a message or error text", () => {
    expect(files.length).toBeGreaterThan(10);
    const decidesOnText = [
      /\.(?:error|message|detail)\s*[!=]==?/,
      /[!=]==?\s*[A-Z_]+_MESSAGE\b/,
      /\.(?:error|message|detail)\.(?:includes|startsWith|endsWith|match|search|indexOf)\(/,
      /\.test\(\s*[\w.]*\.(?:error|message|detail)\s*\)/,
    ];
    const found = files.flatMap((file) =>
      fs
        .readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, i) => (decidesOnText.some((re) => re.test(line)) ? [`${path.relative(root, file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });

  it("would have caught the comparison this layer replaced", () => {
    const before = 'if (result.error === STALE_VERSION_MESSAGE) throw new ApiError("version-conflict", result.error);';
    expect(/\.(?:error|message|detail)\s*[!=]==?/.test(before)).toBe(true);
  });
});

import { beforeEach, describe, expect, it } from "vitest";
import { getBranding, getBrandingLogo } from "@/lib/campaigns/branding";
import { DEFAULT_SUBJECT, DEFAULT_TEXT } from "@/lib/campaigns/template";
import { db } from "@/lib/db";
import { CommandError } from "@/lib/errors";
import { brandingQuery, updateBrandingCommand } from "./branding";
import { runCommand, type CommandContext } from "./command";

// Settings → Branding against the real database: authorized, validated, optimistic, audited by field name.

const ctxOf = (role: CommandContext["role"]): CommandContext => ({
  actor: { type: "admin", id: `a-${role}`, label: `${role.toLowerCase()}@msp.example` },
  role,
  requestId: `req-${role}`,
  principalKind: "admin",
});
const admin = ctxOf("ADMINISTRATOR");
const viewer = ctxOf("VIEWER");

async function refusal(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandError);
  return error as CommandError;
}

function pngFile(width: number, height: number, name = "logo.png", type = "image/png"): File {
  const b = Buffer.alloc(64);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write("IHDR", 12, "latin1");
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return new File([b], name, { type });
}

const form = {
  mspName: "Northwind IT",
  supportEmail: "help@northwind.example",
  supportUrl: "",
  customText: "",
  inviteSubject: DEFAULT_SUBJECT,
  inviteText: DEFAULT_TEXT,
};

beforeEach(async () => {
  await db.auditEvent.deleteMany();
  await db.branding.deleteMany();
});

describe("branding.update", () => {
  it("saves the fields and the logo, keeps an unchanged default template as the default, and audits field names only", async () => {
    const saved = await runCommand(updateBrandingCommand, { ...form, version: 0, logoFile: pngFile(200, 60) }, admin);
    expect(saved).toEqual({ version: 1, changedFields: ["mspName", "supportEmail", "logo"] });
    const view = await getBranding();
    expect(view).toMatchObject({
      mspName: "Northwind IT",
      supportEmail: "help@northwind.example",
      supportUrl: null,
      inviteSubject: null,
      inviteText: null,
      version: 1,
    });
    expect(view.logoPath).toMatch(/^\/branding\/logo\?v=\d+$/);
    expect((await getBrandingLogo())?.type).toBe("image/png");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "branding.updated" } });
    expect(audit).toMatchObject({ targetType: "branding", targetId: "branding", actorLabel: "administrator@msp.example" });
    expect(JSON.parse(audit.details)).toEqual({ changedFields: ["mspName", "supportEmail", "logo"] });

    const again = await runCommand(updateBrandingCommand, { ...form, inviteText: "Hi {{customer}}: {{link}}", version: 1, removeLogo: true }, admin);
    expect(again).toEqual({ version: 2, changedFields: ["inviteText", "logo"] });
    expect(await getBrandingLogo()).toBeNull();
    expect((await getBranding()).inviteText).toBe("Hi {{customer}}: {{link}}");
  });

  it("refuses a change over an older version: the other administrator's values stay", async () => {
    await runCommand(updateBrandingCommand, { ...form, version: 0 }, admin);
    await runCommand(updateBrandingCommand, { ...form, mspName: "Northwind", version: 1 }, admin);
    const stale = await refusal(runCommand(updateBrandingCommand, { ...form, mspName: "Stale", version: 1 }, admin));
    expect(stale.code).toBe("version-conflict");
    expect(stale.message).toMatch(/^Someone else changed the branding/);
    expect((await getBranding()).mspName).toBe("Northwind");
  });

  it("refuses an SVG or a renamed file by its bytes, and a template with unknown placeholders, with messages on the fields", async () => {
    const svg = new File(['<svg xmlns="http://www.w3.org/2000/svg"/>'], "logo.png", { type: "image/png" });
    const e1 = await refusal(runCommand(updateBrandingCommand, { ...form, version: 0, logoFile: svg }, admin));
    expect(e1.fieldErrors?.logoFile).toEqual(["The logo must be a PNG, JPEG or WebP image (SVG is not accepted)."]);
    const e2 = await refusal(runCommand(updateBrandingCommand, { ...form, version: 0, logoFile: pngFile(1500, 200) }, admin));
    expect(e2.fieldErrors?.logoFile).toEqual(["The logo is 1500×200 pixels; at most 1024×1024 is accepted."]);
    const e3 = await refusal(runCommand(updateBrandingCommand, { ...form, version: 0, inviteSubject: "{{company}} needs you" }, admin));
    expect(e3.fieldErrors?.inviteSubject?.[0]).toMatch(/^Unknown placeholder \{\{company\}\}/);
    expect(await db.branding.count()).toBe(0);
  });

  it("lets every role read the branding and only administrators change it", async () => {
    expect((await runCommand(brandingQuery, {}, viewer)).mspName).toBe("");
    const denied = await refusal(runCommand(updateBrandingCommand, { ...form, version: 0 }, viewer));
    expect(denied.code).toBe("forbidden");
    expect(denied.message).toBe("Only administrators can change the branding.");
  });
});

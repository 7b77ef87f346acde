import { describe, expect, it } from "vitest";
import { brandingSchema, checkLogo, readImageHeader, unknownPlaceholders } from "./branding";

const base = { mspName: "Northwind IT", supportEmail: "", supportUrl: "", customText: "", inviteSubject: "", inviteText: "" };
const errorsOf = (input: Partial<typeof base>) => {
  const r = brandingSchema.safeParse({ ...base, ...input });
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [String(i.path[0]), i.message]));
};

function png(width: number, height: number, size = 64): Uint8Array {
  const b = Buffer.alloc(size);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write("IHDR", 12, "latin1");
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

function jpeg(width: number, height: number): Uint8Array {
  // SOI, an APP0 segment, then SOF0 with height and width.
  return Buffer.from([
    0xff,
    0xd8,
    0xff,
    0xe0,
    0x00,
    0x04,
    0x00,
    0x00,
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    3,
    0,
    0,
    0,
  ]);
}

function webpLossless(width: number, height: number): Uint8Array {
  const b = Buffer.alloc(32);
  b.write("RIFF", 0, "latin1");
  b.writeUInt32LE(24, 4);
  b.write("WEBP", 8, "latin1");
  b.write("VP8L", 12, "latin1");
  b[20] = 0x2f;
  b.writeUInt32LE(((height - 1) << 14) | (width - 1), 21);
  return b;
}

describe("brandingSchema", () => {
  it("turns empty fields into null and keeps the rest", () => {
    expect(brandingSchema.parse({ ...base, customText: "  Line 1\r\nLine 2 " })).toEqual({
      mspName: "Northwind IT",
      supportEmail: null,
      supportUrl: null,
      customText: "Line 1\nLine 2",
      inviteSubject: null,
      inviteText: null,
    });
  });

  it("refuses unknown placeholders by name, and a text without {{link}}", () => {
    expect(errorsOf({ inviteSubject: "Hello {{ customr }} from {{msp}} and {{name}}" }).inviteSubject).toBe(
      "Unknown placeholders {{customr}}, {{name}}. Use {{customer}}, {{msp}}, {{expires}}, {{link}}, {{support}}.",
    );
    expect(errorsOf({ inviteText: "Please consent, {{customer}}." }).inviteText).toBe(
      "The invitation text must contain {{link}}: the customer needs the consent link.",
    );
    expect(errorsOf({ inviteText: "Open {{link}} ({{url}})" }).inviteText).toMatch(/^Unknown placeholder \{\{url\}\}\./);
    expect(errorsOf({ inviteText: "Open {{ link }} by {{expires}}" })).toEqual({});
  });

  it("accepts https support URLs only, valid emails and custom text up to 1000 characters", () => {
    expect(errorsOf({ supportUrl: "http://help.example" }).supportUrl).toBe("Enter a web address that starts with https://, or leave it empty.");
    expect(errorsOf({ supportUrl: "javascript:alert(1)" }).supportUrl).toBeDefined();
    expect(errorsOf({ supportUrl: "https://help.example/start" })).toEqual({});
    expect(errorsOf({ supportEmail: "not an email" }).supportEmail).toMatch(/^Enter an email address/);
    expect(errorsOf({ customText: "x".repeat(1000) })).toEqual({});
    expect(errorsOf({ customText: "x".repeat(1001) }).customText).toBe("The custom text can have at most 1000 characters.");
  });

  it("lists unknown placeholders once each", () => {
    expect(unknownPlaceholders("{{a}} {{link}} {{a}} {{ b }}")).toEqual(["a", "b"]);
  });
});

describe("logo checks", () => {
  it("reads PNG, JPEG and WebP dimensions from the bytes", () => {
    expect(readImageHeader(png(200, 80))).toEqual({ type: "image/png", width: 200, height: 80 });
    expect(readImageHeader(jpeg(640, 480))).toEqual({ type: "image/jpeg", width: 640, height: 480 });
    expect(readImageHeader(webpLossless(300, 100))).toEqual({ type: "image/webp", width: 300, height: 100 });
  });

  it("refuses SVG, other formats, oversize files and images above 1024×1024", () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    expect(checkLogo(svg)).toEqual({ ok: false, message: "The logo must be a PNG, JPEG or WebP image (SVG is not accepted)." });
    expect(checkLogo(Buffer.from("GIF89a......")).ok).toBe(false);
    expect(checkLogo(png(100, 100, 256 * 1024 + 1))).toEqual({ ok: false, message: "The logo is larger than 256 KB. Use a smaller image." });
    expect(checkLogo(png(2000, 100))).toEqual({ ok: false, message: "The logo is 2000×100 pixels; at most 1024×1024 is accepted." });
    expect(checkLogo(png(1024, 1024))).toEqual({ ok: true, image: { type: "image/png", width: 1024, height: 1024 } });
  });
});

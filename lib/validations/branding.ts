import { z } from "zod";

/**
 * Settings → Branding: what the MSP may put on the customer-facing pages and in invitation emails.
 * Shared by the form's action and the command; messages are written for the person filling the form.
 */

export const PLACEHOLDERS = ["customer", "msp", "expires", "link", "support"] as const;
export const MAX_CUSTOM_TEXT = 1000;
export const MAX_LOGO_BYTES = 256 * 1024;
export const MAX_LOGO_SIDE = 1024;
export const LOGO_TOO_LARGE = "The logo is larger than 256 KB. Use a smaller image.";

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders of a template that are not among PLACEHOLDERS, each once, in order of appearance. */
export function unknownPlaceholders(template: string): string[] {
  const known = new Set<string>(PLACEHOLDERS);
  const unknown = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !known.has(name));
  return [...new Set(unknown)];
}

function placeholderIssue(template: string): string | null {
  const unknown = unknownPlaceholders(template);
  if (unknown.length === 0) return null;
  const names = unknown.map((n) => `{{${n}}}`).join(", ");
  return `Unknown placeholder${unknown.length === 1 ? "" : "s"} ${names}. Use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}.`;
}

/** Empty text means "not set" (null). */
const optionalText = (max: number, tooLong: string) =>
  z
    .string()
    // Browsers submit a textarea's line breaks as CRLF.
    .transform((v) => v.replace(/\r\n?/g, "\n").trim())
    .pipe(z.string().max(max, tooLong))
    .transform((v) => (v === "" ? null : v));

export const brandingSchema = z.object({
  mspName: z.string().trim().max(100, "The MSP name can have at most 100 characters."),
  supportEmail: optionalText(254, "The support email address is too long.").refine(
    (v) => v === null || z.email().safeParse(v).success,
    "Enter an email address such as support@example.com, or leave it empty.",
  ),
  supportUrl: optionalText(2048, "The support URL is too long.").refine((v) => {
    if (v === null) return true;
    try {
      const url = new URL(v);
      return url.protocol === "https:" && !url.username && !url.password;
    } catch {
      return false;
    }
  }, "Enter a web address that starts with https://, or leave it empty."),
  customText: optionalText(MAX_CUSTOM_TEXT, `The custom text can have at most ${MAX_CUSTOM_TEXT} characters.`),
  inviteSubject: optionalText(200, "The subject can have at most 200 characters.")
    .refine((v) => v === null || !/[\r\n]/.test(v), "The subject must fit on one line.")
    .superRefine((v, ctx) => {
      const issue = v && placeholderIssue(v);
      if (issue) ctx.addIssue({ code: "custom", message: issue });
    }),
  inviteText: optionalText(5000, "The invitation text can have at most 5000 characters.").superRefine((v, ctx) => {
    if (v === null) return;
    const issue = placeholderIssue(v);
    if (issue) ctx.addIssue({ code: "custom", message: issue });
    else if (!/\{\{\s*link\s*\}\}/.test(v))
      ctx.addIssue({ code: "custom", message: "The invitation text must contain {{link}}: the customer needs the consent link." });
  }),
});

export type BrandingInput = z.input<typeof brandingSchema>;
export type BrandingValues = z.output<typeof brandingSchema>;

export type LogoImage = { type: "image/png" | "image/jpeg" | "image/webp"; width: number; height: number };

/**
 * Reads an image's format and size from its own bytes, never from the browser's declared type or the file
 * name. Only PNG, JPEG and WebP: an SVG is a document that can carry scripts and links to other hosts,
 * and the logo is served from the console's own origin to anonymous visitors.
 * @see https://www.w3.org/TR/png-3/#5PNG-file-signature
 * @see https://developers.google.com/speed/webp/docs/riff_container
 */
export function readImageHeader(bytes: Uint8Array): LogoImage | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // PNG: the 8-byte signature, then the IHDR chunk (width, height as 32-bit big-endian).
  if (b.length >= 24 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) && b.toString("latin1", 12, 16) === "IHDR") {
    return { type: "image/png", width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  // JPEG: SOI, then segments until a start-of-frame marker (SOF0…SOF15 but DHT, JPG and DAC).
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return null;
      const marker = b[i + 1]!;
      if (marker === 0xff) {
        i += 1;
        continue;
      }
      const length = b.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { type: "image/jpeg", height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
      }
      if (length < 2) return null;
      i += 2 + length;
    }
    return null;
  }
  // WebP: RIFF….WEBP, then a VP8 (lossy), VP8L (lossless) or VP8X (extended) chunk.
  if (b.length >= 30 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") {
    const chunk = b.toString("latin1", 12, 16);
    if (chunk === "VP8 " && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
      return { type: "image/webp", width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    }
    if (chunk === "VP8L" && b[20] === 0x2f) {
      const bits = b.readUInt32LE(21);
      return { type: "image/webp", width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
    if (chunk === "VP8X") {
      return { type: "image/webp", width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
    }
    return null;
  }
  return null;
}

/** Checks an uploaded logo; returns the image or a message for the logo field. */
export function checkLogo(bytes: Uint8Array): { ok: true; image: LogoImage } | { ok: false; message: string } {
  if (bytes.byteLength === 0) return { ok: false, message: "The logo file is empty." };
  if (bytes.byteLength > MAX_LOGO_BYTES) return { ok: false, message: LOGO_TOO_LARGE };
  const image = readImageHeader(bytes);
  if (!image) return { ok: false, message: "The logo must be a PNG, JPEG or WebP image (SVG is not accepted)." };
  if (image.width < 1 || image.height < 1) return { ok: false, message: "The logo's dimensions could not be read." };
  if (image.width > MAX_LOGO_SIDE || image.height > MAX_LOGO_SIDE) {
    return { ok: false, message: `The logo is ${image.width}×${image.height} pixels; at most ${MAX_LOGO_SIDE}×${MAX_LOGO_SIDE} is accepted.` };
  }
  return { ok: true, image };
}

import { z } from "zod";
import { normalizeThumbprint } from "@/lib/crypto/certificates";
import { CloudConfigurationError, normalizeHost } from "@/lib/entra/clouds";
import { configuredHostRefusal } from "@/lib/net/outbound";

export const REDIRECT_PATH = "/authenticate/OAuth2Callback";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const PERMISSION = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+$/;

export const guidSchema = z.string().trim().toLowerCase().regex(GUID, "Must be a GUID such as 02990467-5131-4a63-9a88-b578f38d89ab");

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The redirect URI registered on the app: https (http only on localhost, as Entra allows), exactly the
 * callback path, no query or fragment.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reply-url
 */
export const redirectUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a full URL such as https://console.example.com/authenticate/OAuth2Callback" });
      return;
    }
    if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
      ctx.addIssue({ code: "custom", message: "Must use https (http is allowed only for localhost)" });
    }
    if (url.pathname !== REDIRECT_PATH) ctx.addIssue({ code: "custom", message: `The path must be exactly ${REDIRECT_PATH}` });
    if (url.search || url.hash || value.includes("?") || value.includes("#")) ctx.addIssue({ code: "custom", message: "No query string or fragment allowed" });
    if (url.username || url.password) ctx.addIssue({ code: "custom", message: "No user name or password in the URL" });
  });

function wordList(message: string, pattern: RegExp) {
  return z
    .string()
    .trim()
    .max(2000)
    .transform((v) => v.split(/[\s,;]+/).filter(Boolean))
    .refine((list) => list.every((p) => pattern.test(p)), message);
}

/**
 * A Custom cloud's host: `host[:port]` or `https://host[:port]` (normalizeHost, which the runtime uses
 * too), and one the outbound policy lets the console call: not an IP literal in a loopback, private,
 * link-local or other non-public range, not a metadata service, unless OUTBOUND_ALLOW_HOSTS lists it.
 * The connection itself is checked again (lib/net/outbound.ts): DNS can change after Apply.
 */
const hostSchema = z
  .string()
  .trim()
  .transform((v, ctx) => {
    let host: string;
    try {
      host = normalizeHost(v, "The host");
    } catch (e) {
      const message =
        e instanceof CloudConfigurationError && /https|path/.test(e.message)
          ? e.message
          : "Enter a host name with an optional port, such as login.example.com or login.example.com:8443";
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    const refusal = configuredHostRefusal(host);
    if (refusal) {
      ctx.addIssue({ code: "custom", message: `Not allowed: ${refusal}` });
      return z.NEVER;
    }
    return host;
  });

/** What the Provider app form submits. An empty secret keeps the stored one. */
export const providerSettingsSchema = z
  .object({
    clientId: guidSchema,
    clientSecret: z.string().trim().max(1024).optional().default(""),
    removeCertificate: z.boolean().default(false),
    certificateThumbprint: z
      .string()
      .max(400)
      .optional()
      .default("")
      .transform((v, ctx) => {
        if (!v.trim()) return "";
        const t = normalizeThumbprint(v);
        if (!t) {
          ctx.addIssue({ code: "custom", message: "A thumbprint is 40 (SHA-1) or 64 (SHA-256) hexadecimal characters" });
          return z.NEVER;
        }
        return t;
      }),
    redirectUrl: redirectUrlSchema,
    cloud: z.enum(["GLOBAL", "USGOV", "USGOV_DOD", "CHINA", "CUSTOM"]),
    customAuthorityHost: z.string().trim().max(300).optional().default(""),
    customGraphHost: z.string().trim().max(300).optional().default(""),
    tokenVersion: z.enum(["v1", "v2"]),
    resource: z.string().trim().max(500).optional().default(""),
    scopes: wordList("Scopes are names such as User.Read or Organization.Read.All, separated by spaces", /^[A-Za-z][A-Za-z0-9._/:-]*$/),
    requiredAppPermissions: wordList("Permissions are Graph application permission names such as User.Read.All", PERMISSION).refine(
      (l) => l.length > 0,
      "List at least one application permission",
    ),
    requestOfflineAccess: z.boolean(),
    homeTenantId: z
      .string()
      .trim()
      .toLowerCase()
      .max(253)
      .refine((v) => v === "" || GUID.test(v) || DOMAIN.test(v), "Enter your own tenant's ID (GUID) or a verified domain")
      .optional()
      .default(""),
  })
  .superRefine((v, ctx) => {
    if (v.cloud === "CUSTOM") {
      for (const field of ["customAuthorityHost", "customGraphHost"] as const) {
        const parsed = hostSchema.safeParse(v[field]);
        if (!v[field]) ctx.addIssue({ code: "custom", path: [field], message: "Required for a custom cloud" });
        else if (!parsed.success) ctx.addIssue({ code: "custom", path: [field], message: parsed.error.issues[0]!.message });
      }
    }
    if (v.tokenVersion === "v1") {
      try {
        const url = new URL(v.resource);
        if (url.protocol !== "https:") throw new Error();
      } catch {
        ctx.addIssue({ code: "custom", path: ["resource"], message: "The v1 endpoint needs a Resource such as https://graph.microsoft.com" });
      }
    }
  })
  .transform((v) => ({
    ...v,
    customAuthorityHost: v.cloud === "CUSTOM" ? hostSchema.parse(v.customAuthorityHost) : "",
    customGraphHost: v.cloud === "CUSTOM" ? hostSchema.parse(v.customGraphHost) : "",
  }));

export type ProviderSettingsInput = z.input<typeof providerSettingsSchema>;
export type ProviderSettingsValues = z.output<typeof providerSettingsSchema>;

import { z } from "zod";
import { normalizeThumbprint } from "@/lib/crypto/certificates";
import { CloudConfigurationError, normalizeHost } from "@/lib/entra/clouds";
import { configuredHostRefusal } from "@/lib/net/outbound";
import { guidSchema, secretValueSchema } from "./secret";

export const REDIRECT_PATH = "/authenticate/OAuth2Callback";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const PERMISSION = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+$/;

export { guidSchema, SECRET_ID_PASTED, secretValueSchema } from "./secret";

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

/** Query parameters the console sets itself on a sign-in request; the extra login parameters cannot replace them. */
const RESERVED_LOGIN_PARAMETERS = new Set([
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "nonce",
  "code_challenge",
  "code_challenge_method",
  "response_mode",
  "client_secret",
  "client_assertion",
  "resource",
]);
const PARAMETER_NAME = /^[a-z][a-z0-9_.-]{0,63}$/i;

/**
 * Extra query parameters of the sign-in (authorize) request, one `name=value` per line or separated by
 * `&` (e.g. `prompt=consent`, `domain_hint=contoso.com`). response_type is always `code`.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
 */
export const loginParametersSchema = z
  .string()
  .max(2000, "At most 2000 characters")
  .optional()
  .default("")
  .transform((text, ctx) => {
    const out: Record<string, string> = {};
    for (const part of text
      .split(/[\r\n&]+/)
      .map((p) => p.trim())
      .filter(Boolean)) {
      const eq = part.indexOf("=");
      const name = (eq < 0 ? part : part.slice(0, eq)).trim();
      const value = eq < 0 ? "" : part.slice(eq + 1).trim();
      if (!PARAMETER_NAME.test(name)) {
        ctx.addIssue({ code: "custom", message: "Write one name=value per line, such as prompt=consent or domain_hint=contoso.com" });
        return z.NEVER;
      }
      const key = name.toLowerCase();
      if (key === "response_type") {
        ctx.addIssue({ code: "custom", message: "response_type is always code; remove it" });
        return z.NEVER;
      }
      if (RESERVED_LOGIN_PARAMETERS.has(key)) {
        ctx.addIssue({ code: "custom", message: `${key} is set by the console itself; remove it` });
        return z.NEVER;
      }
      if (!value) {
        ctx.addIssue({ code: "custom", message: `Give ${key} a value (name=value)` });
        return z.NEVER;
      }
      out[key] = value;
    }
    return out;
  });

/** What an app registration's form submits. An empty secret keeps the stored one. */
export const providerSettingsSchema = z
  .object({
    /** Absent: the stored name (a new registration is named after its cloud). */
    name: z.string().trim().max(100, "At most 100 characters").optional(),
    /** Whether the registration is its cloud's default; absent: unchanged (a new one is the default when its cloud has none). */
    isDefault: z.boolean().optional(),
    clientId: guidSchema,
    clientSecret: secretValueSchema.optional().default(""),
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
    customGraphResource: z.string().trim().max(500).optional().default(""),
    tokenVersion: z.enum(["v1", "v2"]),
    resource: z.string().trim().max(500).optional().default(""),
    scopes: wordList("Scopes are names such as User.Read or Organization.Read.All, separated by spaces", /^[A-Za-z][A-Za-z0-9._/:-]*$/),
    requiredAppPermissions: wordList("Permissions are Graph application permission names such as User.Read.All", PERMISSION).refine(
      (l) => l.length > 0,
      "List at least one application permission",
    ),
    requestOfflineAccess: z.boolean(),
    loginParameters: loginParametersSchema,
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
      if (v.customGraphResource && !isHttpsUrl(v.customGraphResource)) {
        ctx.addIssue({ code: "custom", path: ["customGraphResource"], message: "Enter an https URL such as https://graph.example.com, or leave it empty" });
      }
    }
    if (v.tokenVersion === "v1" && !isHttpsUrl(v.resource)) {
      ctx.addIssue({ code: "custom", path: ["resource"], message: "The v1.0 endpoint needs a Resource such as https://graph.microsoft.com" });
    }
  })
  .transform((v) => ({
    ...v,
    customAuthorityHost: v.cloud === "CUSTOM" ? hostSchema.parse(v.customAuthorityHost) : "",
    customGraphHost: v.cloud === "CUSTOM" ? hostSchema.parse(v.customGraphHost) : "",
    customGraphResource: v.cloud === "CUSTOM" ? v.customGraphResource.replace(/\/+$/, "") : "",
  }));

function isHttpsUrl(value: string) {
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}

export type ProviderSettingsInput = z.input<typeof providerSettingsSchema>;
export type ProviderSettingsValues = z.output<typeof providerSettingsSchema>;

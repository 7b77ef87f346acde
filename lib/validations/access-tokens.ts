import { z } from "zod";

/**
 * The access-token broker's inputs: a request (`POST /tenants/{id}/access-token`) and a grant (Settings →
 * API tokens). Client-safe: the grant form reads the limits from here.
 *
 * A scope is `<resource>/<permission>`, the resource an absolute URI (`https://graph.microsoft.com`,
 * `api://…`); `<resource>/.default` asks for everything the app (or the admin) was granted on it.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc#the-default-scope
 */

export const ACCESS_TOKEN_RATE_MAX = 10_000;
export const ACCESS_TOKEN_LIST_MAX = 50;
/** The app role an Entra-authenticated caller needs (besides a grant for its app id). */
export const ACCESS_TOKEN_APP_ROLE = "AccessToken.Request";

export const tenantScopes = ["ALL", "LIST", "TAGS"] as const;
export type TenantScope = (typeof tenantScopes)[number];

const RESOURCE = /^(?:https:\/\/[^\s/?#]+(?:\/[^\s?#]*)?|api:\/\/[^\s?#]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const OIDC = new Set(["openid", "profile", "email", "offline_access"]);

/** A resource as compared: no trailing slash, lower case. */
export function normalizeResource(resource: string): string {
  return resource.trim().replace(/\/+$/, "").toLowerCase();
}

export type ParsedScope = { scope: string; resource: string; permission: string };

/** `<resource>/<permission>`, or a message for people. */
export function parseScope(raw: string): ParsedScope | string {
  const scope = raw.trim();
  if (OIDC.has(scope.toLowerCase())) return `${scope} is a sign-in scope; the broker issues access tokens for a resource.`;
  const slash = scope.lastIndexOf("/");
  const resource = slash > 0 ? scope.slice(0, slash).replace(/\/+$/, "") : "";
  const permission = slash > 0 ? scope.slice(slash + 1) : "";
  if (!resource || !permission || !RESOURCE.test(resource) || /\s/.test(permission)) {
    return `"${scope.slice(0, 100)}" is not a scope of a resource: write it as <resource>/<permission>, e.g. https://graph.microsoft.com/User.Read.All or https://graph.microsoft.com/.default.`;
  }
  return { scope, resource, permission };
}

const resourceSchema = z
  .string()
  .trim()
  .max(300, "At most 300 characters.")
  .refine((r) => RESOURCE.test(r.replace(/\/+$/, "")), "Enter the resource as an absolute URI, e.g. https://graph.microsoft.com.")
  .transform((r) => r.replace(/\/+$/, ""));

/** The request body: exactly one of `resource` and `scopes`; the scopes all of one resource (a token has one audience). */
export const accessTokenRequestSchema = z
  .object({
    resource: resourceSchema.optional(),
    scopes: z.array(z.string().max(300, "At most 300 characters.")).min(1, "Name at least one scope.").max(ACCESS_TOKEN_LIST_MAX).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.resource === undefined) === (v.scopes === undefined)) {
      ctx.addIssue({ code: "custom", message: "Send either resource or scopes.", path: ["resource"] });
      return;
    }
    if (!v.scopes) return;
    const parsed = v.scopes.map(parseScope);
    parsed.forEach((p, i) => {
      if (typeof p === "string") ctx.addIssue({ code: "custom", message: p, path: ["scopes", i] });
    });
    const resources = new Set(parsed.filter((p): p is ParsedScope => typeof p !== "string").map((p) => normalizeResource(p.resource)));
    if (resources.size > 1)
      ctx.addIssue({ code: "custom", message: "An access token is for one resource: ask for the scopes of one resource at a time.", path: ["scopes"] });
  })
  .transform((v) => {
    const scopes = v.resource ? [`${v.resource}/.default`] : (v.scopes ?? []).map((s) => s.trim());
    const first = parseScope(scopes[0]!) as ParsedScope;
    return { resource: first.resource, scopes: [...new Set(scopes)] };
  });

export type AccessTokenRequest = z.output<typeof accessTokenRequestSchema>;

/** Lines or commas of a textarea as a list, without blanks and repeats. */
export function listOf(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

const listField = (item: z.ZodType<string, string>) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? listOf(v.join("\n")) : listOf(v)))
    .pipe(z.array(item).max(ACCESS_TOKEN_LIST_MAX, `At most ${ACCESS_TOKEN_LIST_MAX} entries.`));

/** A grant as the Settings form (and a command) sends it. Tenants are named by customer id. */
export const accessTokenGrantSchema = z
  .object({
    apiTokenId: z.string().trim().min(1).max(64).optional(),
    entraAppId: z
      .string()
      .trim()
      .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "Enter the client's application (client) ID, a GUID.")
      .transform((s) => s.toLowerCase())
      .optional(),
    tenantScope: z.enum(tenantScopes, "Choose all tenants, a list of tenants or tags."),
    customerIds: listField(z.string().max(100)).default([]),
    tagIds: listField(z.string().max(64)).default([]),
    resources: listField(
      z
        .string()
        .max(300)
        .refine((r) => RESOURCE.test(r.replace(/\/+$/, "")), "Each resource is an absolute URI, e.g. https://graph.microsoft.com.")
        .transform((r) => r.replace(/\/+$/, "")),
    ).default([]),
    scopes: listField(
      z
        .string()
        .max(300)
        .refine((s) => typeof parseScope(s) !== "string", "Each scope is <resource>/<permission>, e.g. https://graph.microsoft.com/User.Read.All."),
    ).default([]),
    ratePerMinute: z.coerce
      .number("Enter a number of requests per minute.")
      .int("Enter a whole number.")
      .min(1, "At least 1 request per minute.")
      .max(ACCESS_TOKEN_RATE_MAX, `At most ${ACCESS_TOKEN_RATE_MAX} requests per minute.`),
  })
  .superRefine((v, ctx) => {
    if (!v.apiTokenId === !v.entraAppId) ctx.addIssue({ code: "custom", message: "Name an API token or an Entra client.", path: ["entraAppId"] });
    if (v.tenantScope === "LIST" && v.customerIds.length === 0)
      ctx.addIssue({ code: "custom", message: "Enter at least one customer ID.", path: ["customerIds"] });
    if (v.tenantScope === "TAGS" && v.tagIds.length === 0) ctx.addIssue({ code: "custom", message: "Choose at least one tag.", path: ["tagIds"] });
    if (v.resources.length === 0 && v.scopes.length === 0) {
      ctx.addIssue({ code: "custom", message: "Allow at least one resource or scope, e.g. https://graph.microsoft.com.", path: ["resources"] });
    }
  });

export type AccessTokenGrantInput = z.output<typeof accessTokenGrantSchema>;

import { DEFAULT_TIME_ZONE, formatIso } from "@/lib/dates";
import { methodById, methodFromCsv } from "@/lib/methods";
import { foldTagName, tagNameSchema } from "@/lib/tags/validation";
import { guidSchema, SECRET_ID_PASTED, secretValueSchema } from "@/lib/validations/secret";
import { clouds, tenantInputSchema, type TenantInput } from "@/lib/validations/tenant";

/**
 * CSV for tenant import and export. RFC 4180 quoting; UTF-8 (with or without BOM) or UTF-16 with a BOM,
 * CRLF or LF line ends.
 * Pure functions (no database): the duplicate check against stored tenants lives in manage.ts.
 * @see https://www.rfc-editor.org/rfc/rfc4180
 */

export const MAX_IMPORT_ROWS = 50_000;

export { MAX_IMPORT_BYTES } from "@/lib/net/body-limits";
export const IMPORT_TOO_LARGE = "The file is larger than 10 MB. Split it and import the parts.";

const BOMS: { encoding: "utf-8" | "utf-16le" | "utf-16be"; bytes: number[] }[] = [
  { encoding: "utf-8", bytes: [0xef, 0xbb, 0xbf] },
  { encoding: "utf-16le", bytes: [0xff, 0xfe] },
  { encoding: "utf-16be", bytes: [0xfe, 0xff] },
];

/**
 * The text of an uploaded file. A byte order mark names UTF-8 or UTF-16 (Excel's "CSV UTF-8" and
 * "Unicode Text" save with one); without one the file must be valid UTF-8. Anything else (a legacy code
 * page such as Windows-1252, UTF-16 without a BOM, a binary file) is refused rather than guessed.
 * @see https://encoding.spec.whatwg.org/#interface-textdecoder
 */
export function decodeImportFile(bytes: Uint8Array): { ok: true; text: string } | { ok: false; error: string } {
  const bom = BOMS.find((b) => b.bytes.every((v, i) => bytes[i] === v));
  // UTF-8 text has no zero bytes; UTF-16 without a BOM (or a binary file) has many.
  if (!bom && bytes.includes(0)) {
    return {
      ok: false,
      error: "The file contains NUL bytes: it is not a text file, or it is UTF-16 without a byte order mark. Save it as CSV UTF-8 and choose it again.",
    };
  }
  const encoding = bom?.encoding ?? "utf-8";
  let text: string;
  try {
    // fatal: an invalid byte sequence throws instead of becoming U+FFFD; the BOM is dropped.
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return {
      ok: false,
      error: bom
        ? `The file starts with a ${encoding.toUpperCase()} byte order mark but is not valid ${encoding.toUpperCase()} text. Save it again as CSV UTF-8 and choose it again.`
        : "The file is not UTF-8 text (it may be in a legacy encoding such as Windows-1252). Save it as CSV UTF-8, or as UTF-16 with a byte order mark, and choose it again.",
    };
  }
  return { ok: true, text };
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = "CsvSyntaxError";
  }
}

/** Parses CSV text into records; each record keeps the line it started on, for error messages. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = "";
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let cellStarted = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (cellStarted && cell.length > 0)
        throw new CsvSyntaxError(`Line ${line}: a quote inside an unquoted value; wrap the value in quotes and double the quote.`, line);
      quoted = true;
      cellStarted = true;
    } else if (ch === ",") {
      cells.push(cell);
      cell = "";
      cellStarted = false;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && src[i + 1] === "\n") i++;
      cells.push(cell);
      if (cells.length > 1 || cells[0] !== "") records.push({ line: recordLine, cells });
      cells = [];
      cell = "";
      cellStarted = false;
      line++;
      recordLine = line;
    } else {
      cell += ch;
      cellStarted = true;
    }
  }
  if (quoted) throw new CsvSyntaxError(`Line ${recordLine}: a quoted value is not closed.`, recordLine);
  cells.push(cell);
  if (cells.length > 1 || cells[0] !== "") records.push({ line: recordLine, cells });
  return records;
}

/**
 * Quotes a value when needed, and defuses spreadsheet formulas: a cell starting with = + - @ or a tab
 * is prefixed with an apostrophe so Excel shows it instead of evaluating it.
 * @see https://owasp.org/www-community/attacks/CSV_Injection
 */
export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: (string | number | null | undefined)[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/**
 * Columns of an exported file; an export can be imported again unchanged. Never a secret: the import's
 * client_secret column (a customer-owned app registration's secret) is accepted on import only.
 */
export const exportColumns = [
  "customer_id",
  "display_name",
  "entra_tenant_id",
  "primary_domain",
  "admin_email",
  "auth_method",
  "cloud",
  "app_registration",
  "last_status",
  "last_status_code",
  "last_status_message",
  "last_verified_at",
  "access_breaks_at",
  "tags",
] as const;

/** The tags column: a tenant's tag names separated by semicolons ("Gold; Healthcare"). */
export const TAG_SEPARATOR = ";";

/** A tenant as an export row needs it; `appRegistrationId` is written as the registration's name, which the import reads back. */
export type ExportTenant = {
  customerId: string;
  displayName: string;
  entraTenantId: string | null;
  primaryDomain: string | null;
  adminEmail: string;
  authMethod: string;
  cloud: string;
  appRegistrationId: string | null;
  lastStatus: string;
  lastStatusCode: string | null;
  lastStatusMessage: string | null;
  lastVerifiedAt: Date | null;
  accessBreaksAt: Date | null;
  tags: { name: string }[];
};

/**
 * One exported line, in exportColumns' order; `registrationNames` maps app registration ids to names.
 * Times are ISO 8601 with the offset of `timeZone`, the admin's (lib/dates.ts).
 */
export function exportLine(t: ExportTenant, registrationNames: ReadonlyMap<string, string>, timeZone = DEFAULT_TIME_ZONE): string {
  const iso = (d: Date | null) => (d ? formatIso(d, timeZone) : "");
  return csvLine([
    t.customerId,
    t.displayName,
    t.entraTenantId,
    t.primaryDomain,
    t.adminEmail,
    t.authMethod,
    t.cloud,
    t.appRegistrationId ? (registrationNames.get(t.appRegistrationId) ?? t.appRegistrationId) : "",
    t.lastStatus,
    t.lastStatusCode,
    t.lastStatusMessage,
    iso(t.lastVerifiedAt),
    iso(t.accessBreaksAt),
    t.tags.map((tag) => tag.name).join(`${TAG_SEPARATOR} `),
  ]);
}

/**
 * The tags column of an import row: names separated by semicolons, each trimmed and checked like a tag
 * typed in Settings → Tags; a name given twice (case ignored) counts once. The import assigns existing
 * tags (matched case-insensitively) and creates the missing ones (lib/tenants/manage.ts).
 */
export function parseTagNames(text: string, errors: string[]): string[] {
  const names = new Map<string, string>();
  for (const part of text.split(TAG_SEPARATOR)) {
    if (!part.trim()) continue;
    const parsed = tagNameSchema.safeParse(part);
    if (!parsed.success) {
      errors.push(`Tags: “${part.trim().slice(0, 50)}”: ${parsed.error.issues[0]!.message}`);
      continue;
    }
    const key = foldTagName(parsed.data);
    if (!names.has(key)) names.set(key, parsed.data);
  }
  return [...names.values()];
}

type Field =
  | "customerId"
  | "displayName"
  | "tenantRef"
  | "entraTenantId"
  | "primaryDomain"
  | "adminEmail"
  | "authMethod"
  | "cloud"
  | "appClientId"
  | "clientSecret"
  | "secretExpiresAt"
  | "appRegistration"
  | "tags";

/** Header names accepted on import, normalized to lower case without spaces, dashes or underscores. */
const headerAliases: Record<string, Field> = {
  customerid: "customerId",
  customer: "customerId",
  displayname: "displayName",
  name: "displayName",
  organization: "displayName",
  tenant: "tenantRef",
  tenantid: "tenantRef",
  tenantordomain: "tenantRef",
  entratenantid: "entraTenantId",
  primarydomain: "primaryDomain",
  domain: "primaryDomain",
  adminemail: "adminEmail",
  m365email: "adminEmail",
  email: "adminEmail",
  authmethod: "authMethod",
  authenticationmethod: "authMethod",
  method: "authMethod",
  cloud: "cloud",
  environmenttype: "cloud",
  environment: "cloud",
  clientid: "appClientId",
  appclientid: "appClientId",
  applicationclientid: "appClientId",
  clientsecret: "clientSecret",
  appclientsecret: "clientSecret",
  clientsecretexpires: "secretExpiresAt",
  secretexpires: "secretExpiresAt",
  secretexpiresat: "secretExpiresAt",
  appregistration: "appRegistration",
  registration: "appRegistration",
  providerapp: "appRegistration",
  tags: "tags",
  tag: "tags",
};

const cloudAliases: Record<string, (typeof clouds)[number]> = {
  global: "GLOBAL",
  public: "GLOBAL",
  commercial: "GLOBAL",
  usgov: "USGOV",
  gcchigh: "USGOV",
  // Source 004's Environment Type.
  azurepubliccloud: "GLOBAL",
  azurepublic: "GLOBAL",
  azureusgovernment: "USGOV",
  usgovernment: "USGOV",
  usgovdod: "USGOV_DOD",
  dod: "USGOV_DOD",
  china: "CHINA",
  custom: "CUSTOM",
};

const norm = (s: string) => s.toLowerCase().replace(/[\s_\-+()]/g, "");

/** A customer-owned app registration given in the file (client_id, client_secret, client_secret_expires). */
export type ImportedOwnApp = { clientId: string; clientSecret: string | null; secretExpiresAt: Date | null };

/**
 * The MSP app registration a row names (app_registration: its name as Settings → App registrations lists
 * it), for a tenant that does not use its cloud's default registration. Resolved against the stored
 * registrations by previewTenantImport (manage.ts); `cloudGiven` says whether the row's cloud column was
 * filled in (when it was not, the tenant takes the registration's cloud).
 */
export type ImportedRegistration = { name: string; cloudGiven: boolean; id?: string };

export type ImportRow =
  | {
      line: number;
      ok: true;
      input: TenantInput;
      ownApp?: ImportedOwnApp;
      registration?: ImportedRegistration;
      tags?: string[];
      /** A domain's tenant id, from its cloud's OpenID discovery (lib/tenants/resolve-domain.ts), when it answered. */
      resolvedTenantId?: string;
    }
  | { line: number; ok: false; customerId: string | null; errors: string[] };

export type ParsedImport = { ok: true; rows: ImportRow[] } | { ok: false; error: string };

/**
 * Reads an import file into validated rows. Every row is checked (nothing is written here); rows that
 * repeat a customer id or tenant of an earlier row in the same file are reported as duplicates.
 */
export function parseTenantImport(text: string): ParsedImport {
  let records: { line: number; cells: string[] }[];
  try {
    records = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) return { ok: false, error: e.message };
    throw e;
  }
  if (records.length === 0) return { ok: false, error: "The file is empty. The first line must name the columns." };
  const [header, ...body] = records;
  const fields = header!.cells.map((h) => headerAliases[norm(h)] ?? null);
  const has = (f: Field) => fields.includes(f);
  const missing = [
    !has("customerId") && "customer_id",
    !has("displayName") && "display_name",
    !has("tenantRef") && !has("entraTenantId") && !has("primaryDomain") && "tenant (ID or domain)",
    !has("adminEmail") && "admin_email",
    !has("authMethod") && "auth_method",
  ].filter(Boolean);
  if (missing.length)
    return {
      ok: false,
      error: `Missing column${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}. Expected customer_id, display_name, tenant, admin_email, auth_method and optionally cloud, app_registration, client_id, client_secret, client_secret_expires and tags.`,
    };
  if (body.length === 0) return { ok: false, error: "The file has a header line but no tenants." };
  if (body.length > MAX_IMPORT_ROWS)
    return { ok: false, error: `At most ${MAX_IMPORT_ROWS.toLocaleString("en-US")} tenants per file; this file has ${body.length.toLocaleString("en-US")}.` };

  const seenCustomer = new Map<string, number>();
  const seenTenant = new Map<string, number>();
  const rows: ImportRow[] = body.map(({ line, cells }) => {
    const get = (f: Field) => {
      const i = fields.indexOf(f);
      return i >= 0 ? (cells[i] ?? "").trim() : "";
    };
    const errors: string[] = [];
    if (cells.length !== header!.cells.length) errors.push(`Expected ${header!.cells.length} values, found ${cells.length}.`);
    const methodText = get("authMethod");
    const cloudText = get("cloud");
    const candidate = {
      customerId: get("customerId"),
      displayName: get("displayName"),
      tenantRef: get("tenantRef") || get("entraTenantId") || get("primaryDomain"),
      adminEmail: get("adminEmail"),
      authMethod: methodFromCsv(norm(methodText)) ?? methodText.toUpperCase(),
      cloud: cloudText ? (cloudAliases[norm(cloudText)] ?? cloudText.toUpperCase()) : "GLOBAL",
    };
    const parsed = tenantInputSchema.safeParse(candidate);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push(`${labelOf(String(issue.path[0]))}: ${issue.message}`);
    }
    const customerKey = candidate.customerId.toLowerCase();
    const tenantKey = candidate.tenantRef.toLowerCase();
    if (customerKey && seenCustomer.has(customerKey))
      errors.push(`Duplicate: customer id ${candidate.customerId} is already on line ${seenCustomer.get(customerKey)}.`);
    else if (customerKey) seenCustomer.set(customerKey, line);
    if (tenantKey && seenTenant.has(tenantKey)) errors.push(`Duplicate: tenant ${candidate.tenantRef} is already on line ${seenTenant.get(tenantKey)}.`);
    else if (tenantKey) seenTenant.set(tenantKey, line);
    const ownApp = readOwnApp(get("appClientId"), get("clientSecret"), get("secretExpiresAt"), parsed.success ? parsed.data.authMethod : null, errors);
    const registrationName = get("appRegistration");
    if (registrationName.length > 100) errors.push("App registration: a registration's name has at most 100 characters.");
    const tags = parseTagNames(get("tags"), errors);
    if (errors.length || !parsed.success) return { line, ok: false, customerId: candidate.customerId || null, errors };
    return {
      line,
      ok: true,
      input: parsed.data,
      ...(ownApp ? { ownApp } : {}),
      ...(registrationName ? { registration: { name: registrationName, cloudGiven: Boolean(cloudText) } } : {}),
      ...(tags.length ? { tags } : {}),
    };
  });
  return { ok: true, rows };
}

/**
 * The customer-owned app registration columns of one row. A secret belongs only to a method that stores
 * one (application registration) and only with its client id; a GUID there is the secret's ID, not its Value.
 */
function readOwnApp(clientIdText: string, secretText: string, expiresText: string, method: TenantInput["authMethod"] | null, errors: string[]) {
  if (!clientIdText && !secretText && !expiresText) return null;
  if (secretText && method && !methodById(method).credentials.some((c) => c.kind === "CLIENT_SECRET")) {
    errors.push(`Client secret: the ${methodById(method).label.toLowerCase()} method has no client secret; leave the column empty for this tenant.`);
    return null;
  }
  if ((secretText || expiresText) && !clientIdText) {
    errors.push("Client ID: give the customer's app registration's client id with its secret.");
    return null;
  }
  const clientId = guidSchema.safeParse(clientIdText);
  if (!clientId.success) errors.push(`Client ID: ${clientId.error.issues[0]!.message}.`);
  let clientSecret: string | null = null;
  if (secretText) {
    const parsed = secretValueSchema.safeParse(secretText);
    if (!parsed.success)
      errors.push(`Client secret: ${parsed.error.issues[0]!.message === SECRET_ID_PASTED ? SECRET_ID_PASTED : parsed.error.issues[0]!.message}`);
    else clientSecret = parsed.data;
  }
  let secretExpiresAt: Date | null = null;
  if (expiresText) {
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(expiresText) ? `${expiresText}T00:00:00Z` : expiresText);
    if (Number.isNaN(d.getTime())) errors.push("Client secret expires: write the date as YYYY-MM-DD.");
    else secretExpiresAt = d;
  }
  if (method && method !== "APP_REGISTRATION") errors.push("Client ID: a customer-owned app registration needs the application registration method.");
  return clientId.success ? { clientId: clientId.data, clientSecret, secretExpiresAt } : null;
}

const labels: Record<string, string> = {
  customerId: "Customer id",
  displayName: "Display name",
  tenantRef: "Tenant",
  adminEmail: "M365 email",
  authMethod: "Authentication method",
  cloud: "Cloud",
};

function labelOf(field: string) {
  return labels[field] ?? field;
}

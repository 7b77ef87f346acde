import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { invalidField, refuse, type Refusal, type Result } from "@/lib/errors";
import { encryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { cloudNames } from "@/lib/entra/clouds";
import { parseTenantImport, type ImportedRegistration, type ImportRow } from "@/lib/tenants/csv";
import { isGuid, tenantRefColumns, type TenantInput, type TenantUpdate } from "@/lib/validations/tenant";
import type { CloudId } from "@/lib/entra/clouds";
import { resolveTenantDomain, type DomainResolution } from "@/lib/tenants/resolve-domain";
import { isUniqueViolation } from "@/lib/db-client";
import { DEFAULT_TAG_COLOR } from "@/lib/tags/palette";
import { foldTagName } from "@/lib/tags/validation";

/**
 * Creating, editing, deleting and importing tenants. Inputs arrive already parsed by the zod schemas;
 * authorization is the caller's (the commands in lib/commands/tenants.ts). Every change is audited and bumps Tenant.version,
 * the optimistic-concurrency counter: an edit carries the version it was made from and fails when the
 * row has moved on, instead of silently overwriting another admin's change.
 */

export type ManageContext = { actor: AuditActor; requestId?: string };

const stale = () =>
  refuse("version-conflict", "This tenant was changed by someone else since you opened it. Reload to see the current values, then make your change again.");
const gone = () => refuse("not-found", "This tenant no longer exists; another admin may have deleted it.");

function customerIdTaken(customerId: string): Refusal {
  return invalidField("customerId", `A tenant with customer id ${customerId} already exists.`);
}

// SQLite allows 999 bound parameters per statement; the reference lookup binds two per tenant.
const LOOKUP_CHUNK = 400;

/**
 * Which stored tenants already hold these tenant references (an Entra tenant ID or a domain, as
 * tenantRefSchema gives them): their customer ids by reference. `exceptId`: the tenant being edited. The
 * one check behind the Add and Edit dialogs, the REST API and CSV import: one Entra tenant, one customer.
 */
export async function tenantRefOwners(refs: string[], exceptId?: string): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  const wanted = [...new Set(refs)];
  for (let i = 0; i < wanted.length; i += LOOKUP_CHUNK) {
    const chunk = wanted.slice(i, i + LOOKUP_CHUNK);
    const found = await db.tenant.findMany({
      where: { OR: [{ entraTenantId: { in: chunk } }, { primaryDomain: { in: chunk } }], ...(exceptId ? { NOT: { id: exceptId } } : {}) },
      select: { customerId: true, entraTenantId: true, primaryDomain: true },
    });
    for (const f of found) {
      if (f.entraTenantId) owners.set(f.entraTenantId, f.customerId);
      if (f.primaryDomain) owners.set(f.primaryDomain, f.customerId);
    }
  }
  return owners;
}

/** The customer already holding this Entra tenant id, other than `exceptId`'s tenant (one Entra tenant, one customer). */
export async function entraTenantOwner(entraTenantId: string, exceptId?: string): Promise<string | undefined> {
  return (await tenantRefOwners([entraTenantId], exceptId)).get(entraTenantId);
}

/** How a refusal names the holder: "customer X", or "another customer" when it was deleted meanwhile. */
export function heldBy(owner: string | undefined): string {
  return owner ? `customer ${owner}` : "another customer";
}

function tenantRefTaken(ref: string, owner: string, resolvedTenantId?: string | null): Refusal {
  const what = isGuid(ref) ? `Entra tenant ${ref}` : resolvedTenantId ? `The domain ${ref} (Entra tenant ${resolvedTenantId})` : `The domain ${ref}`;
  return invalidField("tenantRef", `${what} is already managed as customer ${owner}. Edit that tenant instead, or delete it first.`);
}

/** The customer already holding this reference, or the tenant id a domain resolved to. */
async function refOwner(ref: string, resolvedTenantId: string | null, exceptId?: string): Promise<string | undefined> {
  const owners = await tenantRefOwners(resolvedTenantId ? [ref, resolvedTenantId] : [ref], exceptId);
  return owners.get(ref) ?? (resolvedTenantId ? owners.get(resolvedTenantId) : undefined);
}

/**
 * A domain's tenant id, so that a tenant entered by domain is refused when the same Entra tenant is already
 * managed under its GUID (or another of its domains), and is stored with its id. When the cloud's authority
 * cannot be asked (no network, no Custom cloud registration) or does not know the domain, the tenant is kept
 * by its domain alone, as before: verification reports an unknown domain as TENANT_NOT_FOUND.
 */
export type DomainResolver = (domain: string, cloud: CloudId) => Promise<DomainResolution>;

async function resolvedIdOf(ref: string, cloud: CloudId, resolve: DomainResolver): Promise<string | null> {
  if (isGuid(ref)) return null;
  const resolution = await resolve(ref, cloud);
  return resolution.ok ? resolution.tenantId : null;
}

/** A unique index refused a tenant write: name the Entra tenant's owner when another tenant took it meanwhile, else the customer id. */
async function uniqueRefusal(input: { customerId: string; tenantRef: string }, resolvedTenantId: string | null, exceptId?: string): Promise<Refusal> {
  const owner = await refOwner(input.tenantRef, resolvedTenantId, exceptId);
  return owner ? tenantRefTaken(input.tenantRef, owner, resolvedTenantId) : customerIdTaken(input.customerId);
}

export async function createTenant(input: TenantInput, ctx: ManageContext, resolve: DomainResolver = resolveTenantDomain): Promise<Result<{ id: string }>> {
  // A taken customer id is the first thing to say (the unique index below still decides under a race).
  if (await db.tenant.findUnique({ where: { customerId: input.customerId }, select: { id: true } })) return customerIdTaken(input.customerId);
  const plainOwner = (await tenantRefOwners([input.tenantRef])).get(input.tenantRef);
  if (plainOwner) return tenantRefTaken(input.tenantRef, plainOwner);
  const resolvedTenantId = await resolvedIdOf(input.tenantRef, input.cloud, resolve);
  const owner = resolvedTenantId ? await refOwner(input.tenantRef, resolvedTenantId) : undefined;
  if (owner) return tenantRefTaken(input.tenantRef, owner, resolvedTenantId);
  const id = newId();
  try {
    await db.tenant.create({
      data: {
        id,
        customerId: input.customerId,
        displayName: input.displayName,
        adminEmail: input.adminEmail,
        authMethod: input.authMethod,
        cloud: input.cloud,
        ...tenantRefColumns(input.tenantRef, resolvedTenantId),
      },
    });
  } catch (e) {
    if (isUniqueViolation(e)) return uniqueRefusal(input, resolvedTenantId);
    throw e;
  }
  await recordAudit({
    action: "tenant.created",
    actor: ctx.actor,
    target: { type: "tenant", id },
    requestId: ctx.requestId,
    details: { customerId: input.customerId, authMethod: input.authMethod, cloud: input.cloud, ...(resolvedTenantId ? { resolvedTenantId } : {}) },
  });
  return { ok: true, data: { id } };
}

export async function updateTenant(
  input: TenantUpdate,
  ctx: ManageContext,
  resolve: DomainResolver = resolveTenantDomain,
): Promise<Result<{ version: number }>> {
  const current = await db.tenant.findUnique({
    where: { id: input.id },
    select: { customerId: true, displayName: true, adminEmail: true, authMethod: true, cloud: true, entraTenantId: true, primaryDomain: true, version: true },
  });
  if (!current) return gone();
  if (current.version !== input.version) return stale();

  // A GUID replaces the tenant ID and keeps the known domain; a new domain takes the tenant ID it resolves
  // to, else forgets one it may not match.
  const newDomain = !isGuid(input.tenantRef) && input.tenantRef !== current.primaryDomain;
  const resolvedTenantId = newDomain ? await resolvedIdOf(input.tenantRef, input.cloud, resolve) : null;
  const ref = isGuid(input.tenantRef)
    ? { entraTenantId: input.tenantRef, primaryDomain: current.primaryDomain }
    : !newDomain
      ? { entraTenantId: current.entraTenantId, primaryDomain: current.primaryDomain }
      : { entraTenantId: resolvedTenantId, primaryDomain: input.tenantRef };
  const next = {
    customerId: input.customerId,
    displayName: input.displayName,
    adminEmail: input.adminEmail,
    authMethod: input.authMethod,
    cloud: input.cloud,
    ...ref,
  };
  const changedFields = (Object.keys(next) as (keyof typeof next)[]).filter((k) => next[k] !== current[k]);
  if (changedFields.length === 0) return { ok: true, data: { version: current.version } };
  if (changedFields.includes("entraTenantId") || changedFields.includes("primaryDomain")) {
    const owner = await refOwner(input.tenantRef, resolvedTenantId, input.id);
    if (owner) return tenantRefTaken(input.tenantRef, owner, resolvedTenantId);
  }

  try {
    const { count } = await db.tenant.updateMany({ where: { id: input.id, version: input.version }, data: { ...next, version: { increment: 1 } } });
    if (count === 0) return stale();
  } catch (e) {
    if (isUniqueViolation(e)) return uniqueRefusal(input, resolvedTenantId, input.id);
    throw e;
  }
  await recordAudit({
    action: "tenant.updated",
    actor: ctx.actor,
    target: { type: "tenant", id: input.id },
    requestId: ctx.requestId,
    details: { customerId: input.customerId, changedFields },
  });
  return { ok: true, data: { version: input.version + 1 } };
}

/** Deletes the tenant; `destroyedCount` in the audit counts its stored credentials (the audit scrubber drops keys naming them). Its credentials, results, consent links and OAuth states go with it (cascade). */
export async function deleteTenant(input: { id: string; version?: number }, ctx: ManageContext): Promise<Result<undefined>> {
  const current = await db.tenant.findUnique({
    where: { id: input.id },
    select: { customerId: true, version: true, _count: { select: { credentials: true } } },
  });
  if (!current) return gone();
  if (input.version !== undefined && current.version !== input.version) return stale();
  const { count } = await db.tenant.deleteMany({ where: { id: input.id, ...(input.version !== undefined ? { version: input.version } : {}) } });
  if (count === 0) return stale();
  await recordAudit({
    action: "tenant.deleted",
    actor: ctx.actor,
    target: { type: "tenant", id: input.id },
    requestId: ctx.requestId,
    details: { customerId: current.customerId, destroyedCount: current._count.credentials },
  });
  return { ok: true, data: undefined };
}

export type ImportPreview = {
  rows: ImportRow[];
  valid: number;
  invalid: number;
  /** Tags the file names that do not exist yet: the import creates them. */
  newTags: string[];
};

const WRITE_CHUNK = 100;

const RESOLVE_CONCURRENCY = 8;

/**
 * The tenant ids of the file's domains, as createTenant resolves one: a few at a time, each domain once,
 * and a cloud whose authority cannot be reached is not asked again for the rest of the file.
 */
async function resolveImportDomains(rows: { input: TenantInput }[], resolve: DomainResolver): Promise<Map<string, string>> {
  const wanted = new Map<string, { domain: string; cloud: CloudId }>();
  for (const { input } of rows) if (!isGuid(input.tenantRef)) wanted.set(`${input.cloud} ${input.tenantRef}`, { domain: input.tenantRef, cloud: input.cloud });
  const queue = [...wanted.values()];
  const unreachable = new Set<CloudId>();
  const resolved = new Map<string, string>();
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (unreachable.has(next.cloud)) continue;
      const r = await resolve(next.domain, next.cloud);
      if (r.ok) resolved.set(`${next.cloud} ${next.domain}`, r.tenantId);
      else if (r.reason === "unavailable") unreachable.add(next.cloud);
    }
  };
  await Promise.all(Array.from({ length: Math.min(RESOLVE_CONCURRENCY, queue.length) }, worker));
  return resolved;
}

/** Rows of a file checked against the file itself and against stored tenants. Writes nothing. */
export async function previewTenantImport(text: string, resolve: DomainResolver = resolveTenantDomain): Promise<Result<ImportPreview>> {
  const parsed = parseTenantImport(text);
  if (!parsed.ok) return refuse("validation", parsed.error);
  const good = parsed.rows.filter((r): r is Extract<ImportRow, { ok: true }> => r.ok);
  // A domain's tenant id, as the Add dialog resolves it: the same tenant named by GUID on one line and by
  // domain on another, or already stored under its GUID, is a duplicate too.
  const resolvedIds = await resolveImportDomains(good, resolve);
  const firstLineOf = new Map<string, number>();
  const rows: ImportRow[] = parsed.rows.map((r) => {
    if (!r.ok) return r;
    const resolvedTenantId = isGuid(r.input.tenantRef) ? undefined : resolvedIds.get(`${r.input.cloud} ${r.input.tenantRef}`);
    const tenantId = isGuid(r.input.tenantRef) ? r.input.tenantRef : resolvedTenantId;
    const earlier = tenantId ? firstLineOf.get(tenantId) : undefined;
    if (tenantId && earlier === undefined) firstLineOf.set(tenantId, r.line);
    if (earlier !== undefined)
      return {
        line: r.line,
        ok: false,
        customerId: r.input.customerId,
        errors: [`Duplicate: tenant ${r.input.tenantRef} (Entra tenant ${tenantId}) is already on line ${earlier}.`],
      };
    return resolvedTenantId ? { ...r, resolvedTenantId } : r;
  });
  const customerIds = good.map((r) => r.input.customerId);
  const existingCustomers = new Set<string>();
  for (let i = 0; i < customerIds.length; i += LOOKUP_CHUNK) {
    const found = await db.tenant.findMany({ where: { customerId: { in: customerIds.slice(i, i + LOOKUP_CHUNK) } }, select: { customerId: true } });
    for (const f of found) existingCustomers.add(f.customerId);
  }
  const stillGood = rows.filter((r): r is Extract<ImportRow, { ok: true }> => r.ok);
  const existingRefs = await tenantRefOwners(stillGood.flatMap((r) => (r.resolvedTenantId ? [r.input.tenantRef, r.resolvedTenantId] : [r.input.tenantRef])));
  const registrations = good.some((r) => r.registration) ? await db.appRegistration.findMany({ select: { id: true, name: true, cloud: true } }) : [];
  const checked: ImportRow[] = rows.map((r) => {
    if (!r.ok) return r;
    const errors: string[] = [];
    if (r.registration) {
      const chosen = chooseImportedRegistration(r.registration, r.input.cloud, registrations);
      if (!chosen.ok) errors.push(chosen.error);
      else r = { ...r, input: { ...r.input, cloud: chosen.cloud }, registration: { ...r.registration, id: chosen.id } };
    }
    if (existingCustomers.has(r.input.customerId)) errors.push(`Duplicate: customer id ${r.input.customerId} already exists in the console.`);
    const owner = existingRefs.get(r.input.tenantRef) ?? (r.resolvedTenantId ? existingRefs.get(r.resolvedTenantId) : undefined);
    if (owner)
      errors.push(
        `Duplicate: tenant ${r.input.tenantRef}${r.resolvedTenantId ? ` (Entra tenant ${r.resolvedTenantId})` : ""} is already managed as customer ${owner}.`,
      );
    return errors.length ? { line: r.line, ok: false, customerId: r.input.customerId, errors } : r;
  });
  const valid = checked.filter((r) => r.ok).length;
  const newTags = good.some((r) => r.tags) ? [...(await missingTags(good.flatMap((r) => r.tags ?? []))).values()] : [];
  return { ok: true, data: { rows: checked, valid, invalid: checked.length - valid, newTags } };
}

/** Of these tag names, the ones no tag has (case ignored), keyed by folded name. */
async function missingTags(names: string[]): Promise<Map<string, string>> {
  const existing = new Set((await db.tag.findMany({ select: { name: true } })).map((t) => foldTagName(t.name)));
  const missing = new Map<string, string>();
  for (const name of names) {
    const key = foldTagName(name);
    if (!existing.has(key) && !missing.has(key)) missing.set(key, name);
  }
  return missing;
}

/**
 * The app registration an import row names (app_registration), by name (case-insensitive) or id. Its cloud
 * must be the tenant's (an app is registered in each cloud separately, and tokens of one cloud do not work
 * in another); a row without a cloud takes the registration's.
 */
function chooseImportedRegistration(
  wanted: ImportedRegistration,
  cloud: TenantInput["cloud"],
  registrations: { id: string; name: string; cloud: string }[],
): { ok: true; id: string; cloud: TenantInput["cloud"] } | { ok: false; error: string } {
  const key = wanted.name.toLowerCase();
  const byId = registrations.find((r) => r.id === wanted.name);
  const named = byId ? [byId] : registrations.filter((r) => r.name.toLowerCase() === key);
  if (named.length === 0)
    return { ok: false, error: `App registration: there is no app registration named "${wanted.name}". Settings → App registrations lists them.` };
  if (named.length > 1)
    return { ok: false, error: `App registration: ${named.length} app registrations are named "${wanted.name}". Rename one in Settings → App registrations.` };
  const reg = named[0]!;
  const regCloud = reg.cloud as TenantInput["cloud"];
  if (wanted.cloudGiven && regCloud !== cloud)
    return {
      ok: false,
      error: `App registration: "${reg.name}" is registered in ${cloudNames[regCloud]}, this tenant in ${cloudNames[cloud]}; tokens of one cloud do not work in another.`,
    };
  return { ok: true, id: reg.id, cloud: regCloud };
}

/**
 * Imports a file all-or-nothing: it is checked again (the file may have changed since the preview, or
 * another admin may have added one of its tenants), and written in one transaction only if every row is valid.
 */
export async function importTenants(
  text: string,
  ctx: ManageContext,
  resolve: DomainResolver = resolveTenantDomain,
): Promise<Result<{ imported: number }> | (Refusal & { preview: ImportPreview })> {
  const preview = await previewTenantImport(text, resolve);
  if (!preview.ok) return preview;
  if (preview.data.invalid > 0) {
    const refusal = refuse(
      "validation",
      `Nothing was imported: ${preview.data.invalid} of ${preview.data.rows.length} rows have errors. Fix them and import the file again.`,
    );
    return { ...refusal, preview: preview.data };
  }
  const rows = preview.data.rows.flatMap((r) =>
    r.ok ? [{ id: newId(), input: r.input, ownApp: r.ownApp, registration: r.registration, tags: r.tags ?? [], resolvedTenantId: r.resolvedTenantId }] : [],
  );
  const inputs = rows.map((r) => r.input);
  // A customer-owned app registration's secret, encrypted for its credential row (bound to that row's id).
  const credentials = rows.flatMap(({ id, ownApp }) => {
    if (!ownApp?.clientSecret) return [];
    const credId = newId();
    return [
      {
        id: credId,
        tenantId: id,
        kind: "CLIENT_SECRET" as const,
        label: ownApp.clientId,
        hint: ownApp.clientSecret.slice(0, 3),
        expiresAt: ownApp.secretExpiresAt,
        secret: encryptSecret(ownApp.clientSecret, { table: "TenantCredential", rowId: credId, field: "secret" }),
      },
    ];
  });
  const createdTags: string[] = [];
  try {
    await db.$transaction(
      async (tx) => {
        for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
          await tx.tenant.createMany({
            data: rows.slice(i, i + WRITE_CHUNK).map(({ id, input, ownApp, registration, resolvedTenantId }) => ({
              id,
              customerId: input.customerId,
              displayName: input.displayName,
              adminEmail: input.adminEmail,
              authMethod: input.authMethod,
              cloud: input.cloud,
              appClientId: ownApp?.clientId ?? null,
              appRegistrationId: registration?.id ?? null,
              ...tenantRefColumns(input.tenantRef, resolvedTenantId),
            })),
          });
        }
        for (let i = 0; i < credentials.length; i += WRITE_CHUNK) await tx.tenantCredential.createMany({ data: credentials.slice(i, i + WRITE_CHUNK) });
        // The tags column: existing tags by name (case ignored), the others created here with the default colour.
        if (rows.some((r) => r.tags.length)) {
          const tagIds = new Map((await tx.tag.findMany({ select: { id: true, name: true } })).map((t) => [foldTagName(t.name), t.id]));
          for (const name of rows.flatMap((r) => r.tags)) {
            const key = foldTagName(name);
            if (tagIds.has(key)) continue;
            const id = newId();
            await tx.tag.create({ data: { id, name, color: DEFAULT_TAG_COLOR } });
            tagIds.set(key, id);
            createdTags.push(name);
          }
          const links = rows.flatMap((r) => r.tags.map((name) => ({ tenantId: r.id, tagId: tagIds.get(foldTagName(name))! })));
          for (let i = 0; i < links.length; i += WRITE_CHUNK) await tx.tenantTag.createMany({ data: links.slice(i, i + WRITE_CHUNK) });
        }
      },
      { timeout: 120_000 },
    );
  } catch (e) {
    if (isUniqueViolation(e))
      return refuse("conflict", "Nothing was imported: another admin added one of these customer ids, tenants or tags meanwhile. Check the file again.");
    throw e;
  }
  await recordAudit({
    action: "tenant.imported",
    actor: ctx.actor,
    requestId: ctx.requestId,
    details: {
      count: inputs.length,
      customerIds: inputs.slice(0, 50).map((i) => i.customerId),
      withOwnApp: rows.filter((r) => r.ownApp).length,
      withRegistration: rows.filter((r) => r.registration).length,
      withTags: rows.filter((r) => r.tags.length).length,
      tagsCreated: createdTags,
    },
  });
  return { ok: true, data: { imported: inputs.length } };
}

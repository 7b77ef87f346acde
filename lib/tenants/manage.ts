import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { invalidField, refuse, type Refusal, type Result } from "@/lib/errors";
import { encryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { cloudNames } from "@/lib/entra/clouds";
import { parseTenantImport, type ImportedRegistration, type ImportRow } from "@/lib/tenants/csv";
import { isGuid, tenantRefColumns, type TenantInput, type TenantUpdate } from "@/lib/validations/tenant";
import { isUniqueViolation } from "@/lib/db-client";

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

export async function createTenant(input: TenantInput, ctx: ManageContext): Promise<Result<{ id: string }>> {
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
        ...tenantRefColumns(input.tenantRef),
      },
    });
  } catch (e) {
    if (isUniqueViolation(e)) return customerIdTaken(input.customerId);
    throw e;
  }
  await recordAudit({
    action: "tenant.created",
    actor: ctx.actor,
    target: { type: "tenant", id },
    requestId: ctx.requestId,
    details: { customerId: input.customerId, authMethod: input.authMethod, cloud: input.cloud },
  });
  return { ok: true, data: { id } };
}

export async function updateTenant(input: TenantUpdate, ctx: ManageContext): Promise<Result<{ version: number }>> {
  const current = await db.tenant.findUnique({
    where: { id: input.id },
    select: { customerId: true, displayName: true, adminEmail: true, authMethod: true, cloud: true, entraTenantId: true, primaryDomain: true, version: true },
  });
  if (!current) return gone();
  if (current.version !== input.version) return stale();

  // A GUID replaces the tenant ID and keeps the known domain; a new domain forgets a tenant ID it may not match.
  const ref = isGuid(input.tenantRef)
    ? { entraTenantId: input.tenantRef, primaryDomain: current.primaryDomain }
    : input.tenantRef === current.primaryDomain
      ? { entraTenantId: current.entraTenantId, primaryDomain: current.primaryDomain }
      : { entraTenantId: null, primaryDomain: input.tenantRef };
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

  try {
    const { count } = await db.tenant.updateMany({ where: { id: input.id, version: input.version }, data: { ...next, version: { increment: 1 } } });
    if (count === 0) return stale();
  } catch (e) {
    if (isUniqueViolation(e)) return customerIdTaken(input.customerId);
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
};

// SQLite allows 999 bound parameters per statement; the reference lookup binds two per tenant.
const LOOKUP_CHUNK = 400;
const WRITE_CHUNK = 100;

/** Rows of a file checked against the file itself and against stored tenants. Writes nothing. */
export async function previewTenantImport(text: string): Promise<Result<ImportPreview>> {
  const parsed = parseTenantImport(text);
  if (!parsed.ok) return refuse("validation", parsed.error);
  const rows = parsed.rows;
  const good = rows.filter((r): r is Extract<ImportRow, { ok: true }> => r.ok);
  const customerIds = good.map((r) => r.input.customerId);
  const refs = good.map((r) => r.input.tenantRef);
  const existingCustomers = new Set<string>();
  const existingRefs = new Map<string, string>();
  for (let i = 0; i < customerIds.length; i += LOOKUP_CHUNK) {
    const found = await db.tenant.findMany({ where: { customerId: { in: customerIds.slice(i, i + LOOKUP_CHUNK) } }, select: { customerId: true } });
    for (const f of found) existingCustomers.add(f.customerId);
  }
  for (let i = 0; i < refs.length; i += LOOKUP_CHUNK) {
    const chunk = refs.slice(i, i + LOOKUP_CHUNK);
    const found = await db.tenant.findMany({
      where: { OR: [{ entraTenantId: { in: chunk } }, { primaryDomain: { in: chunk } }] },
      select: { customerId: true, entraTenantId: true, primaryDomain: true },
    });
    for (const f of found) {
      if (f.entraTenantId) existingRefs.set(f.entraTenantId, f.customerId);
      if (f.primaryDomain) existingRefs.set(f.primaryDomain, f.customerId);
    }
  }
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
    const owner = existingRefs.get(r.input.tenantRef);
    if (owner) errors.push(`Duplicate: tenant ${r.input.tenantRef} is already managed as customer ${owner}.`);
    return errors.length ? { line: r.line, ok: false, customerId: r.input.customerId, errors } : r;
  });
  const valid = checked.filter((r) => r.ok).length;
  return { ok: true, data: { rows: checked, valid, invalid: checked.length - valid } };
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
export async function importTenants(text: string, ctx: ManageContext): Promise<Result<{ imported: number }> | (Refusal & { preview: ImportPreview })> {
  const preview = await previewTenantImport(text);
  if (!preview.ok) return preview;
  if (preview.data.invalid > 0) {
    const refusal = refuse(
      "validation",
      `Nothing was imported: ${preview.data.invalid} of ${preview.data.rows.length} rows have errors. Fix them and import the file again.`,
    );
    return { ...refusal, preview: preview.data };
  }
  const rows = preview.data.rows.flatMap((r) => (r.ok ? [{ id: newId(), input: r.input, ownApp: r.ownApp, registration: r.registration }] : []));
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
  try {
    await db.$transaction(
      async (tx) => {
        for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
          await tx.tenant.createMany({
            data: rows.slice(i, i + WRITE_CHUNK).map(({ id, input, ownApp, registration }) => ({
              id,
              customerId: input.customerId,
              displayName: input.displayName,
              adminEmail: input.adminEmail,
              authMethod: input.authMethod,
              cloud: input.cloud,
              appClientId: ownApp?.clientId ?? null,
              appRegistrationId: registration?.id ?? null,
              ...tenantRefColumns(input.tenantRef),
            })),
          });
        }
        for (let i = 0; i < credentials.length; i += WRITE_CHUNK) await tx.tenantCredential.createMany({ data: credentials.slice(i, i + WRITE_CHUNK) });
      },
      { timeout: 120_000 },
    );
  } catch (e) {
    if (isUniqueViolation(e)) return refuse("conflict", "Nothing was imported: another admin added one of these customer ids meanwhile. Check the file again.");
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
    },
  });
  return { ok: true, data: { imported: inputs.length } };
}

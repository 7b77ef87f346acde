"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionResult } from "@/lib/action-result";
import { actorOf, currentRequestId, getSessionAdmin, hasRole, type SessionAdmin } from "@/lib/auth/session";
import { latestVerification, type VerificationHistoryItem } from "@/lib/data/tenants";
import type { AdminRole } from "@/lib/generated/prisma/enums";
import { createConsentLink } from "@/lib/consent/links";
import { switchTargetIds, type MethodId } from "@/lib/methods";
import { removeAuthorization, switchAuthMethod } from "@/lib/tenants/lifecycle";
import { decodeImportFile, IMPORT_TOO_LARGE, MAX_IMPORT_BYTES } from "@/lib/tenants/csv";
import { createTenant, deleteTenant, importTenants, previewTenantImport, updateTenant, type ImportPreview } from "@/lib/tenants/manage";
import { tenantIdsSchema, tenantInputSchema, tenantUpdateSchema } from "@/lib/validations/tenant";
import {
  cancelVerificationRun,
  getActiveRun,
  getRunProgress,
  startVerificationRun,
  testGraphConnection,
  TenantNotFoundError,
  verifyTenant,
  type RunProgress,
  type VerificationOutcome,
} from "@/lib/verification";
import { getReloadJob, startReloadAll, type ReloadJob } from "@/lib/tenants/reload-all";

/**
 * Every action here is a public endpoint: it authenticates, checks the role, parses its input with zod
 * and returns an ActionResult. Viewers read; operators verify; administrators change tenants.
 */

const FORBIDDEN = "Your role does not allow this action.";
const SIGNED_OUT = "Your session has ended. Sign in again.";

async function authorize(minimum: AdminRole): Promise<{ ok: true; admin: SessionAdmin } | { ok: false; error: string }> {
  const admin = await getSessionAdmin();
  if (!admin) return { ok: false, error: SIGNED_OUT };
  if (!hasRole(admin, minimum)) return { ok: false, error: FORBIDDEN };
  return { ok: true, admin };
}

function invalid(error: z.ZodError): { ok: false; error: string; fieldErrors: Record<string, string[] | undefined> } {
  return { ok: false, error: "Fix the highlighted fields.", fieldErrors: z.flattenError(error).fieldErrors as Record<string, string[] | undefined> };
}

const idSchema = z.object({ id: z.string().min(1).max(64) });

export type TenantFormState = (ActionResult<{ id: string; version?: number }> & { values?: Record<string, string> }) | null;

function formValues(formData: FormData) {
  const keys = ["id", "version", "customerId", "displayName", "tenantRef", "adminEmail", "authMethod", "cloud"];
  return Object.fromEntries(keys.map((k) => [k, typeof formData.get(k) === "string" ? String(formData.get(k)) : ""]));
}

export async function createTenantAction(_prev: TenantFormState, formData: FormData): Promise<TenantFormState> {
  const auth = await authorize("ADMINISTRATOR");
  if (!auth.ok) return auth;
  const values = formValues(formData);
  const parsed = tenantInputSchema.safeParse(values);
  if (!parsed.success) return { ...invalid(parsed.error), values };
  const result = await createTenant(parsed.data, { actor: actorOf(auth.admin), requestId: await currentRequestId() });
  if (!result.ok) return { ...result, values };
  revalidatePath("/tenants");
  return result;
}

export async function updateTenantAction(_prev: TenantFormState, formData: FormData): Promise<TenantFormState> {
  const auth = await authorize("ADMINISTRATOR");
  if (!auth.ok) return auth;
  const values = formValues(formData);
  const parsed = tenantUpdateSchema.safeParse(values);
  if (!parsed.success) return { ...invalid(parsed.error), values };
  const result = await updateTenant(parsed.data, { actor: actorOf(auth.admin), requestId: await currentRequestId() });
  if (!result.ok) return { ...result, values };
  revalidatePath("/tenants");
  return { ok: true, data: { id: parsed.data.id, version: result.data.version } };
}

export async function deleteTenantAction(input: { id: string; version: number }): Promise<ActionResult> {
  const auth = await authorize("ADMINISTRATOR");
  if (!auth.ok) return auth;
  const parsed = idSchema.extend({ version: z.number().int().min(1) }).safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const result = await deleteTenant(parsed.data, { actor: actorOf(auth.admin), requestId: await currentRequestId() });
  if (result.ok) revalidatePath("/tenants");
  return result;
}

export type VerifyResultDto = { status: "VERIFIED" | "WARNING" | "FAILED"; reasonCode: string; message: string; remediation: string };

export async function verifyTenantAction(input: { id: string }): Promise<ActionResult<VerifyResultDto>> {
  const auth = await authorize("OPERATOR");
  if (!auth.ok) return auth;
  const parsed = idSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  try {
    const outcome = await verifyTenant(parsed.data.id, { actor: actorOf(auth.admin), requestId: await currentRequestId() });
    return { ok: true, data: { status: outcome.status, reasonCode: outcome.reasonCode, message: outcome.message, remediation: outcome.details.remediation.text } };
  } catch (e) {
    if (e instanceof TenantNotFoundError) return { ok: false, error: "This tenant no longer exists." };
    throw e;
  }
}

export async function startVerificationRunAction(input: { tenantIds?: string[] }): Promise<ActionResult<{ progress: RunProgress; joined: boolean }>> {
  const auth = await authorize("OPERATOR");
  if (!auth.ok) return auth;
  const parsed = z.object({ tenantIds: tenantIdsSchema.optional() }).safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const { run, joined } = await startVerificationRun({ tenantIds: parsed.data.tenantIds, trigger: "manual", requestedBy: auth.admin.email, actor: actorOf(auth.admin), requestId: await currentRequestId() });
  const progress = await getRunProgress(run.id);
  if (!progress) return { ok: false, error: "The run finished before its progress could be read. Update the table." };
  return { ok: true, data: { progress, joined } };
}

export async function cancelVerificationRunAction(input: { runId: string }): Promise<ActionResult<{ cancelled: boolean }>> {
  const auth = await authorize("OPERATOR");
  if (!auth.ok) return auth;
  const parsed = z.object({ runId: z.string().min(1).max(64) }).safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return { ok: true, data: { cancelled: await cancelVerificationRun(parsed.data.runId, { actor: actorOf(auth.admin), requestId: await currentRequestId() }) } };
}

/** Polled about once a second by the progress bar; also tells a viewer about the run another admin started. */
export async function getRunProgressAction(input: { runId?: string }): Promise<ActionResult<RunProgress | null>> {
  const auth = await authorize("VIEWER");
  if (!auth.ok) return auth;
  const parsed = z.object({ runId: z.string().min(1).max(64).optional() }).safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const runId = parsed.data.runId ?? (await getActiveRun())?.id;
  return { ok: true, data: runId ? await getRunProgress(runId) : null };
}

export async function reloadAllAction(): Promise<ActionResult<{ job: ReloadJob; joined: boolean }>> {
  const auth = await authorize("OPERATOR");
  if (!auth.ok) return auth;
  return { ok: true, data: await startReloadAll(actorOf(auth.admin)) };
}

export async function getReloadJobAction(input: { jobId: string }): Promise<ActionResult<ReloadJob | null>> {
  const auth = await authorize("VIEWER");
  if (!auth.ok) return auth;
  const parsed = z.object({ jobId: z.string().min(1).max(64) }).safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return { ok: true, data: await getReloadJob(parsed.data.jobId) };
}

export async function latestVerificationAction(input: { id: string }): Promise<ActionResult<VerificationHistoryItem | null>> {
  const auth = await authorize("VIEWER");
  if (!auth.ok) return auth;
  const parsed = idSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return { ok: true, data: await latestVerification(parsed.data.id) };
}

export async function testConnectionAction(input: { id: string }): Promise<ActionResult<VerificationOutcome>> {
  const auth = await authorize("OPERATOR");
  if (!auth.ok) return auth;
  const parsed = idSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  try {
    return { ok: true, data: await testGraphConnection(parsed.data.id) };
  } catch (e) {
    if (e instanceof TenantNotFoundError) return { ok: false, error: "This tenant no longer exists." };
    throw e;
  }
}

async function importText(formData: FormData): Promise<{ ok: true; text: string } | { ok: false; error: string }> {
  const file = formData.get("file");
  if (!(file instanceof File) || file.size === 0) return { ok: false, error: "Choose a CSV file to import." };
  if (file.size > MAX_IMPORT_BYTES) return { ok: false, error: IMPORT_TOO_LARGE };
  return decodeImportFile(new Uint8Array(await file.arrayBuffer()));
}

const PREVIEW_ROWS = 500;

/** Only what the preview shows goes to the browser: rows with errors first, at most 500 rows. */
function trimPreview(p: ImportPreview): ImportPreview {
  return { ...p, rows: [...p.rows.filter((r) => !r.ok), ...p.rows.filter((r) => r.ok)].slice(0, PREVIEW_ROWS) };
}

export type ImportState =
  | { stage: "idle" }
  | { stage: "error"; error: string; preview?: ImportPreview }
  | { stage: "preview"; fileName: string; preview: ImportPreview }
  | { stage: "done"; imported: number };

/** Checks the file and shows what would be imported; writes nothing. */
export async function previewImportAction(_prev: ImportState, formData: FormData): Promise<ImportState> {
  const auth = await authorize("ADMINISTRATOR");
  if (!auth.ok) return { stage: "error", error: auth.error };
  const text = await importText(formData);
  if (!text.ok) return { stage: "error", error: text.error };
  const preview = await previewTenantImport(text.text);
  if (!preview.ok) return { stage: "error", error: preview.error };
  const file = formData.get("file") as File;
  if (formData.get("intent") !== "import") return { stage: "preview", fileName: file.name, preview: trimPreview(preview.data) };
  const result = await importTenants(text.text, { actor: actorOf(auth.admin), requestId: await currentRequestId() });
  if (!result.ok) return { stage: "error", error: result.error, preview: "preview" in result ? trimPreview(result.preview) : undefined };
  revalidatePath("/tenants");
  return { stage: "done", imported: result.data.imported };
}

export async function createConsentLinkAction(input: { id: string }): Promise<ActionResult<{ url: string; expiresAt: Date }>> {
  const auth = await authorize("OPERATOR");
  if (!auth.ok) return auth;
  const parsed = idSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const result = await createConsentLink({ tenantId: parsed.data.id, actor: actorOf(auth.admin), requestId: await currentRequestId() });
  return result.ok ? { ok: true, data: { url: result.data.url, expiresAt: result.data.expiresAt } } : result;
}

export async function switchAuthMethodAction(input: { id: string; method: MethodId; version?: number }): Promise<ActionResult<{ version: number }>> {
  const auth = await authorize("ADMINISTRATOR");
  if (!auth.ok) return auth;
  const parsed = idSchema.extend({ method: z.enum(switchTargetIds), version: z.number().int().min(1).optional() }).safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const result = await switchAuthMethod({ tenantId: parsed.data.id, method: parsed.data.method, expectedVersion: parsed.data.version, actor: actorOf(auth.admin), requestId: await currentRequestId() });
  if (!result.ok) return result;
  revalidatePath("/tenants");
  return { ok: true, data: { version: result.data.version } };
}

export async function removeAuthorizationAction(input: { id: string }): Promise<ActionResult> {
  const auth = await authorize("ADMINISTRATOR");
  if (!auth.ok) return auth;
  const parsed = idSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const result = await removeAuthorization({ tenantId: parsed.data.id, actor: actorOf(auth.admin), requestId: await currentRequestId() });
  if (!result.ok) return result;
  revalidatePath("/tenants");
  return { ok: true, data: undefined };
}

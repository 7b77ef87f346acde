"use server";

import { runAction } from "@/lib/commands/action";
import { cancelVerificationRunCommand, reloadJobQuery, runProgressQuery, startReloadAllCommand, startVerificationRunCommand } from "@/lib/commands/runs";
import { actionFor, formActionFor, sessionEnvironment, textFields, type FormResult } from "@/lib/commands/server-action";
import {
  createConsentLinkCommand,
  createTenantCommand,
  deleteTenantCommand,
  importTenantsCommand,
  latestVerificationQuery,
  previewImportQuery,
  removeAuthorizationCommand,
  switchAuthMethodCommand,
  testConnectionQuery,
  updateTenantCommand,
  verifyTenantCommand,
} from "@/lib/commands/tenants";
import {
  deleteSavedViewCommand,
  failureGroupsQuery,
  saveViewCommand,
  sendGroupConsentLinksCommand,
  switchGroupMethodCommand,
  verifyGroupCommand,
} from "@/lib/commands/fleet";
import { assignTagCommand, removeTagCommand } from "@/lib/commands/tags";
import type { ImportPreview } from "@/lib/tenants/manage";

/**
 * The tenant table's actions: adapters over the commands in lib/commands, which authorize (viewers read;
 * operators verify; administrators change tenants) and parse. Each revalidates what it changed.
 */

const tenantFields = ["id", "version", "customerId", "displayName", "tenantRef", "adminEmail", "authMethod", "cloud"] as const;

export type TenantFormState = FormResult<{ id: string; version?: number }>;

export const createTenantAction = formActionFor(createTenantCommand, {
  read: (form) => textFields(form, tenantFields),
  echo: tenantFields,
  revalidate: "/tenants",
});

export const updateTenantAction = formActionFor(updateTenantCommand, {
  read: (form) => textFields(form, tenantFields),
  echo: tenantFields,
  revalidate: "/tenants",
});

export const deleteTenantAction = actionFor(deleteTenantCommand, { revalidate: "/tenants" });

export type VerifyResultDto = { status: "VERIFIED" | "WARNING" | "FAILED"; reasonCode: string; message: string; remediation: string };

export const verifyTenantAction = actionFor(verifyTenantCommand, {
  present: (outcome): VerifyResultDto => ({
    status: outcome.status,
    reasonCode: outcome.reasonCode,
    message: outcome.message,
    remediation: outcome.details.remediation.text,
  }),
});

export const startVerificationRunAction = actionFor(startVerificationRunCommand);

export const cancelVerificationRunAction = actionFor(cancelVerificationRunCommand, { present: ({ cancelled }) => ({ cancelled }) });

/** Polled about once a second by the progress bar; also tells a viewer about the run another admin started. */
export const getRunProgressAction = actionFor(runProgressQuery);

export const reloadAllAction = actionFor(startReloadAllCommand);

export const getReloadJobAction = actionFor(reloadJobQuery);

export const latestVerificationAction = actionFor(latestVerificationQuery);

export const testConnectionAction = actionFor(testConnectionQuery);

export const createConsentLinkAction = actionFor(createConsentLinkCommand, { present: ({ url, expiresAt }) => ({ url, expiresAt }) });

export const switchAuthMethodAction = actionFor(switchAuthMethodCommand, { revalidate: "/tenants", present: ({ version }) => ({ version }) });

export const removeAuthorizationAction = actionFor(removeAuthorizationCommand, { revalidate: "/tenants", present: () => undefined });

/** Loaded by the page after its rows, like the counts: the groups are a GROUP BY over every failed tenant. */
export const getFailureGroupsAction = actionFor(failureGroupsQuery);

export const sendGroupConsentLinksAction = actionFor(sendGroupConsentLinksCommand);

export const switchGroupMethodAction = actionFor(switchGroupMethodCommand, { revalidate: "/tenants" });

export const verifyGroupAction = actionFor(verifyGroupCommand);

export const saveViewAction = actionFor(saveViewCommand, { revalidate: "/tenants" });

export const deleteSavedViewAction = actionFor(deleteSavedViewCommand, { revalidate: "/tenants" });

/** The selection toolbar's "Add tag" and "Remove tag". */
export const assignTagAction = actionFor(assignTagCommand, { revalidate: "/tenants", present: ({ added }) => ({ changed: added }) });

export const removeTagAction = actionFor(removeTagCommand, { revalidate: "/tenants", present: ({ removed }) => ({ changed: removed }) });

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

/** Checks the file and shows what would be imported (writes nothing), or with intent=import imports it. */
export async function previewImportAction(_prev: ImportState, formData: FormData): Promise<ImportState> {
  const file = formData.get("file");
  const input = { file: file instanceof File ? file : undefined };
  if (formData.get("intent") !== "import") {
    const preview = await runAction(previewImportQuery, () => input, sessionEnvironment);
    if (!preview.ok) return { stage: "error", error: preview.fieldErrors?.file?.[0] ?? preview.error };
    return { stage: "preview", fileName: input.file?.name ?? "", preview: trimPreview(preview.data) };
  }
  const result = await runAction(importTenantsCommand, () => input, sessionEnvironment, { revalidate: "/tenants" });
  if (!result.ok) return { stage: "error", error: result.fieldErrors?.file?.[0] ?? result.error };
  if ("refused" in result.data) return { stage: "error", error: result.data.refused, preview: trimPreview(result.data.preview) };
  return { stage: "done", imported: result.data.imported };
}

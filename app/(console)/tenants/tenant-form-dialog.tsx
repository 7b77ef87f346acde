"use client";

import { useActionState, useEffect } from "react";
import { cloudLabels } from "@/components/format";
import { FormField, inputClass } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { useToast } from "@/components/ui/toast";
import type { TenantListItem } from "@/lib/data/tenants";
import { methods, preferredMethod } from "@/lib/methods";
import { clouds } from "@/lib/validations/tenant";
import { createTenantAction, updateTenantAction, type TenantFormState } from "./actions";
import { settleAction } from "@/lib/settle-action";

/** Add or edit a tenant. Validation happens on the server; its field errors are shown next to each field. */
export function TenantFormDialog({
  open,
  tenant,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** The tenant to edit; absent when adding one. */
  tenant: TenantListItem | null;
  onClose: () => void;
  onSaved?: () => void;
}) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={tenant ? `Edit ${tenant.customerId}` : "Add tenant"}
      description={
        tenant
          ? "Changes are saved only if nobody else changed this tenant since you opened it."
          : "The tenant is added as Not verified. Verify it once its authorization is in place."
      }
    >
      {open && <TenantForm key={tenant ? `${tenant.id}:${tenant.version}` : "new"} tenant={tenant} onClose={onClose} onSaved={onSaved} />}
    </Dialog>
  );
}

function TenantForm({ tenant, onClose, onSaved }: { tenant: TenantListItem | null; onClose: () => void; onSaved?: () => void }) {
  const { toast } = useToast();
  const [state, formAction, pending] = useActionState<TenantFormState, FormData>(
    (prev, data) => settleAction((tenant ? updateTenantAction : createTenantAction)(prev, data)),
    null,
  );
  useEffect(() => {
    if (state?.ok) {
      toast({ kind: "success", title: tenant ? "Tenant saved" : "Tenant added" });
      onSaved?.();
      onClose();
    }
  }, [state, tenant, toast, onClose, onSaved]);
  const v = (k: string, fallback: string) => (state && !state.ok && state.values ? (state.values[k] ?? fallback) : fallback);
  const err = (k: string) => (state && !state.ok ? state.fieldErrors?.[k]?.[0] : undefined);
  const fieldClass = `${inputClass} mt-0`;
  return (
    <form action={formAction} noValidate className="space-y-4">
      {tenant && (
        <>
          <input type="hidden" name="id" value={tenant.id} />
          <input type="hidden" name="version" value={tenant.version} />
        </>
      )}
      {state && !state.ok && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {state.error}
        </p>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField id="tenant-customerId" label="Customer id" error={err("customerId")} hint="Your own identifier, e.g. the customer number.">
          {(a) => (
            <input {...a} name="customerId" defaultValue={v("customerId", tenant?.customerId ?? "")} className={fieldClass} autoComplete="off" required />
          )}
        </FormField>
        <FormField id="tenant-displayName" label="Display name" error={err("displayName")}>
          {(a) => (
            <input {...a} name="displayName" defaultValue={v("displayName", tenant?.displayName ?? "")} className={fieldClass} autoComplete="off" required />
          )}
        </FormField>
      </div>
      <FormField
        id="tenant-tenantRef"
        label="Entra tenant ID or domain"
        error={err("tenantRef")}
        hint="The directory (tenant) ID GUID, or a domain such as contoso.onmicrosoft.com."
      >
        {(a) => (
          <input
            {...a}
            name="tenantRef"
            defaultValue={v("tenantRef", tenant?.entraTenantId ?? tenant?.primaryDomain ?? "")}
            className={fieldClass}
            autoComplete="off"
            spellCheck={false}
            required
          />
        )}
      </FormField>
      <FormField id="tenant-adminEmail" label="M365 admin email" error={err("adminEmail")} hint="The customer administrator who grants consent.">
        {(a) => (
          <input
            {...a}
            type="email"
            name="adminEmail"
            defaultValue={v("adminEmail", tenant?.adminEmail ?? "")}
            className={fieldClass}
            autoComplete="off"
            required
          />
        )}
      </FormField>
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField id="tenant-authMethod" label="Authentication method" error={err("authMethod")}>
          {(a) => (
            <select {...a} name="authMethod" defaultValue={v("authMethod", tenant?.authMethod ?? preferredMethod.id)} className={fieldClass}>
              {methods.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <FormField id="tenant-cloud" label="Cloud" error={err("cloud")}>
          {(a) => (
            <select {...a} name="cloud" defaultValue={v("cloud", tenant?.cloud ?? "GLOBAL")} className={fieldClass}>
              {clouds.map((c) => (
                <option key={c} value={c}>
                  {cloudLabels[c]}
                </option>
              ))}
            </select>
          )}
        </FormField>
      </div>
      <div className="flex justify-end gap-2 pt-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" pending={pending}>
          {tenant ? "Save changes" : "Add tenant"}
        </Button>
      </div>
    </form>
  );
}

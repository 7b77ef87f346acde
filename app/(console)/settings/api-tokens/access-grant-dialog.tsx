"use client";

import { useState, useTransition } from "react";
import { FormField, inputClass } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Dialog } from "@/components/ui/dialog";
import type { FormResult } from "@/lib/action-result";
import { settleAction } from "@/lib/settle-action";
import { ACCESS_TOKEN_APP_ROLE, ACCESS_TOKEN_RATE_MAX, type TenantScope } from "@/lib/validations/access-tokens";
import { saveAccessTokenGrantAction } from "./actions";

/** A grant as the page shows it (no secrets: names, ids, lists). */
export type GrantRow = {
  id: string;
  apiTokenId: string | null;
  entraAppId: string | null;
  tenantScope: TenantScope;
  customerIds: string[];
  tagIds: string[];
  tagNames: string[];
  resources: string[];
  scopes: string[];
  ratePerMinute: number;
};

export type TagOption = { id: string; name: string };

/** Who the grant is for: an API token of the list, or an Entra client (by application id) when `token` is null. */
export type GrantTarget = { token: { id: string; name: string } | null; grant: GrantRow | null };

const scopeLabels: Record<TenantScope, { label: string; hint: string }> = {
  ALL: { label: "All tenants", hint: "Every tenant, also the ones added later." },
  LIST: { label: "Listed tenants", hint: "Only the tenants whose customer IDs you enter." },
  TAGS: { label: "Tenants with tags", hint: "Tenants that carry any of the chosen tags, as tags change." },
};

export function AccessGrantDialog({
  target,
  tags,
  onClose,
  onSaved,
}: {
  target: GrantTarget | null;
  tags: TagOption[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const name = target?.token ? target.token.name : "an Entra client";
  return (
    <Dialog
      open={target !== null}
      onClose={onClose}
      title={`Access tokens for ${name}`}
      description="Lets it ask POST /api/v1/tenants/{id}/access-token for short-lived access tokens of the tenants below. Every issuance is audited and shown on the tenant's page."
    >
      {target && <GrantForm target={target} tags={tags} onClose={onClose} onSaved={onSaved} />}
    </Dialog>
  );
}

function GrantForm({ target, tags, onClose, onSaved }: { target: GrantTarget; tags: TagOption[]; onClose: () => void; onSaved: () => void }) {
  const g = target.grant;
  const [state, setState] = useState<FormResult<{ id: string }>>(null);
  const [pending, startTransition] = useTransition();
  const [scope, setScope] = useState<TenantScope>(g?.tenantScope ?? "LIST");
  const err = (k: string) => (state && !state.ok ? state.fieldErrors?.[k]?.join(" ") : undefined);
  const value = (k: string, fallback: string) => (state && !state.ok && state.values ? (state.values[k] ?? fallback) : fallback);

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(async () => {
      const result = await settleAction(saveAccessTokenGrantAction(null, data));
      setState(result);
      if (result?.ok) onSaved();
    });
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      {state && !state.ok && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {state.error}
        </p>
      )}
      {target.token ? (
        <input type="hidden" name="apiTokenId" value={target.token.id} />
      ) : (
        <FormField
          id="grant-entra-app"
          label="Entra client application ID"
          error={err("entraAppId")}
          hint={`The client's application (client) ID. It also needs the app role ${ACCESS_TOKEN_APP_ROLE} (and Operator) in its token.`}
        >
          {(a) => <input {...a} name="entraAppId" defaultValue={value("entraAppId", g?.entraAppId ?? "")} className={inputClass} autoComplete="off" />}
        </FormField>
      )}

      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Tenants</legend>
        <div className="mt-1 grid gap-2 sm:grid-cols-3">
          {(Object.keys(scopeLabels) as TenantScope[]).map((s) => (
            <label
              key={s}
              className={cn(
                "flex cursor-pointer items-start gap-2 rounded-lg border px-3 py-2",
                scope === s ? "border-blue-600 bg-blue-50/60 ring-1 ring-blue-600" : "border-slate-300 hover:bg-slate-50",
              )}
            >
              <input type="radio" name="tenantScope" value={s} checked={scope === s} onChange={() => setScope(s)} className="mt-0.5 accent-blue-700" />
              <span>
                <span className="block text-sm font-medium text-slate-900">{scopeLabels[s].label}</span>
                <span className="block text-xs text-slate-600">{scopeLabels[s].hint}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {scope === "LIST" && (
        <FormField id="grant-customer-ids" label="Customer IDs" error={err("customerIds")} hint="One per line, or separated by commas.">
          {(a) => <textarea {...a} name="customerIds" rows={3} defaultValue={value("customerIds", g?.customerIds.join("\n") ?? "")} className={inputClass} />}
        </FormField>
      )}
      {scope === "TAGS" && (
        <fieldset aria-describedby={err("tagIds") ? "grant-tags-error" : undefined}>
          <legend className="text-sm font-medium text-slate-800">Tags</legend>
          {tags.length === 0 ? (
            <p className="mt-1 text-sm text-slate-600">No tags yet: create them on Settings → Tags.</p>
          ) : (
            <div className="mt-1 flex flex-wrap gap-3">
              {tags.map((t) => (
                <label key={t.id} className="flex items-center gap-2 text-sm">
                  <input type="checkbox" name="tagIds" value={t.id} defaultChecked={g?.tagIds.includes(t.id)} className="accent-blue-700" />
                  {t.name}
                </label>
              ))}
            </div>
          )}
          {err("tagIds") && (
            <p id="grant-tags-error" className="mt-1 text-sm text-red-700">
              {err("tagIds")}
            </p>
          )}
        </fieldset>
      )}

      <div className="grid gap-4 sm:grid-cols-2">
        <FormField id="grant-resources" label="Resources" error={err("resources")} hint="Every scope of these, e.g. https://graph.microsoft.com. One per line.">
          {(a) => (
            <textarea
              {...a}
              name="resources"
              rows={3}
              defaultValue={value("resources", g?.resources.join("\n") ?? "https://graph.microsoft.com")}
              className={inputClass}
            />
          )}
        </FormField>
        <FormField
          id="grant-scopes"
          label="Single scopes"
          error={err("scopes")}
          hint="Only these, e.g. https://graph.microsoft.com/User.Read.All. One per line."
        >
          {(a) => <textarea {...a} name="scopes" rows={3} defaultValue={value("scopes", g?.scopes.join("\n") ?? "")} className={inputClass} />}
        </FormField>
      </div>
      <FormField id="grant-rate" label="Requests per minute" error={err("ratePerMinute")} hint="Beyond it the caller gets 429 until the next minute.">
        {(a) => (
          <input
            {...a}
            type="number"
            name="ratePerMinute"
            min={1}
            max={ACCESS_TOKEN_RATE_MAX}
            defaultValue={value("ratePerMinute", String(g?.ratePerMinute ?? 60))}
            className={cn(inputClass, "max-w-40")}
          />
        )}
      </FormField>

      <div className="flex justify-end gap-2 pt-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" pending={pending}>
          {g ? "Save grant" : "Allow access tokens"}
        </Button>
      </div>
    </form>
  );
}

"use client";

import { useMemo, useState, useTransition } from "react";
import { formatForMessage } from "@/lib/dates";
import { FormField, inputClass } from "@/components/form-field";
import { Select } from "@/components/ui/select";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Dialog } from "@/components/ui/dialog";
import {
  API_TOKEN_NAME_MAX,
  apiTokenRoleInfo,
  apiTokenRoles,
  customExpiryDateRange,
  endOfUtcDay,
  type ApiTokenExpiryChoice,
} from "@/lib/validations/api-token";
import { createApiTokenAction, type CreateApiTokenState, type CreatedApiToken } from "./actions";
import { settleAction } from "@/lib/settle-action";

const expiryLabels: Record<ApiTokenExpiryChoice, string> = {
  "30": "30 days",
  "90": "90 days",
  "180": "180 days",
  "365": "1 year",
  custom: "Custom date…",
};

export function CreateTokenDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (token: CreatedApiToken) => void }) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Create API token"
      description="For one system or script that calls the REST API. You will see the token once, right after this step."
    >
      {open && <CreateTokenForm onClose={onClose} onCreated={onCreated} />}
    </Dialog>
  );
}

/** Expiry is chosen by the UTC day (the server's bound), so the preview names UTC (lib/dates.ts). */
const formatDay = formatForMessage;

function CreateTokenForm({ onClose, onCreated }: { onClose: () => void; onCreated: (token: CreatedApiToken) => void }) {
  const [state, setState] = useState<CreateApiTokenState>(null);
  const [pending, startTransition] = useTransition();
  const [role, setRole] = useState<string>("VIEWER");
  const [expiry, setExpiry] = useState<ApiTokenExpiryChoice>("90");
  const [expiresOn, setExpiresOn] = useState("");
  // The form opens after a click, so this runs in the browser only; the server re-checks the same bounds.
  const [openedAt] = useState(() => new Date());
  const range = useMemo(() => customExpiryDateRange(openedAt), [openedAt]);
  const err = (k: string) => (state && !state.ok ? state.fieldErrors?.[k]?.join(" ") : undefined);

  const preview =
    expiry === "custom"
      ? /^\d{4}-\d{2}-\d{2}$/.test(expiresOn)
        ? `Valid through ${formatDay(endOfUtcDay(expiresOn))}.`
        : `Any date up to ${formatDay(new Date(`${range.max}T00:00:00Z`))}.`
      : `Expires on ${formatDay(new Date(openedAt.getTime() + Number(expiry) * 86_400_000))}.`;

  function submit(event: React.FormEvent<HTMLFormElement>) {
    // A transition instead of `action=` keeps what the admin typed when validation fails.
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(async () => {
      const result = await settleAction(createApiTokenAction(null, data));
      setState(result);
      if (result?.ok) onCreated(result.data);
    });
  }

  const roleError = err("role");
  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      {state && !state.ok && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {state.error}
        </p>
      )}
      <FormField
        id="api-token-name"
        label="Name"
        error={err("name")}
        hint={`Who or what uses it, e.g. "ConnectWise PSA sync". Unique among active tokens; at most ${API_TOKEN_NAME_MAX} characters.`}
      >
        {(a) => <input {...a} name="name" defaultValue="" maxLength={API_TOKEN_NAME_MAX + 20} className={inputClass} autoComplete="off" required autoFocus />}
      </FormField>

      <fieldset aria-describedby={roleError ? "api-token-role-error" : undefined}>
        <legend className="text-sm font-medium text-slate-800">Role</legend>
        <div className="mt-1 space-y-2">
          {apiTokenRoles.map((r) => (
            <label
              key={r}
              className={cn(
                "flex cursor-pointer items-start gap-3 rounded-lg border px-3 py-2.5",
                role === r ? "border-blue-600 bg-blue-50/60 ring-1 ring-blue-600" : "border-slate-300 hover:bg-slate-50",
              )}
            >
              <input
                type="radio"
                name="role"
                value={r}
                checked={role === r}
                onChange={() => setRole(r)}
                className="mt-0.5 accent-blue-700"
                aria-describedby={`api-token-role-${r}-hint`}
              />
              <span>
                <span className="block text-sm font-medium text-slate-900">{apiTokenRoleInfo[r].label}</span>
                <span id={`api-token-role-${r}-hint`} className="block text-xs text-slate-600">
                  {apiTokenRoleInfo[r].description}
                </span>
              </span>
            </label>
          ))}
        </div>
        {roleError && (
          <p id="api-token-role-error" className="mt-1 text-sm text-red-700">
            {roleError}
          </p>
        )}
      </fieldset>

      <div className="grid gap-4 sm:grid-cols-2">
        <FormField id="api-token-expiry" label="Expires" error={err("expiry")} hint={expiry === "custom" ? undefined : preview}>
          {(a) => (
            <Select {...a} name="expiry" value={expiry} onChange={setExpiry} className={inputClass}>
              {(Object.keys(expiryLabels) as ApiTokenExpiryChoice[]).map((k) => (
                <option key={k} value={k}>
                  {expiryLabels[k]}
                </option>
              ))}
            </Select>
          )}
        </FormField>
        {expiry === "custom" && (
          <FormField id="api-token-expires-on" label="Expiry date" error={err("expiresOn")} hint={preview}>
            {(a) => (
              <input
                {...a}
                type="date"
                name="expiresOn"
                value={expiresOn}
                onChange={(e) => setExpiresOn(e.target.value)}
                min={range.min}
                max={range.max}
                className={inputClass}
                required
              />
            )}
          </FormField>
        )}
      </div>
      <p className="text-xs text-slate-500">Tokens live at most two years. Create a new one before this one expires, then revoke the old one.</p>

      <div className="flex justify-end gap-2 pt-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" pending={pending}>
          Create token
        </Button>
      </div>
    </form>
  );
}

"use client";

import { useActionState } from "react";
import { FormField, inputClass } from "@/components/form-field";

/** `name`: what was typed, given back with a refusal (React resets a form after its action runs). */
export type PasswordFormState = { error?: string; fieldErrors?: Record<string, string[] | undefined>; name?: string };

/** Choosing a password: after a one-time password (`current`), or on an invitation's page (`name`, `hidden`). */
export function PasswordForm({
  action: serverAction,
  email,
  withCurrent = false,
  name,
  hidden = {},
  submitLabel,
  minLength,
}: {
  action: (previous: PasswordFormState, form: FormData) => Promise<PasswordFormState>;
  email: string;
  withCurrent?: boolean;
  name?: string | null;
  hidden?: Record<string, string>;
  submitLabel: string;
  minLength: number;
}) {
  const [state, action, pending] = useActionState<PasswordFormState, FormData>(serverAction, {});
  const error = (field: string) => state.fieldErrors?.[field]?.join(" ");
  return (
    <form action={action} className="space-y-4" noValidate>
      {Object.entries(hidden).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {/* For password managers: the account the new password belongs to. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <p className="text-sm text-slate-700">
        Account: <span className="font-medium">{email}</span>
      </p>
      {name !== undefined && (
        <FormField id="name" label="Your name" error={error("name")}>
          {(a) => <input {...a} name="name" defaultValue={state.name ?? name ?? ""} autoComplete="name" className={inputClass} />}
        </FormField>
      )}
      {withCurrent && (
        <FormField id="current" label="One-time password" error={error("current")}>
          {(a) => <input {...a} name="current" type="password" autoComplete="current-password" className={inputClass} />}
        </FormField>
      )}
      <FormField id="password" label="New password" hint={`At least ${minLength} characters.`} error={error("password")}>
        {(a) => <input {...a} name="password" type="password" autoComplete="new-password" className={inputClass} />}
      </FormField>
      <FormField id="confirm" label="New password again" error={error("confirm")}>
        {(a) => <input {...a} name="confirm" type="password" autoComplete="new-password" className={inputClass} />}
      </FormField>
      <div aria-live="polite">
        {state.error && (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {state.error}
          </p>
        )}
      </div>
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-md bg-blue-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-blue-800 disabled:opacity-60"
      >
        {pending ? "Saving…" : submitLabel}
      </button>
    </form>
  );
}

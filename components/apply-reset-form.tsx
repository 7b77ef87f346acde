"use client";

import { useRouter } from "next/navigation";
import { Fragment, useState, useSyncExternalStore, useTransition, type ReactNode } from "react";
import { FormField, inputClass } from "@/components/form-field";
import { Select } from "@/components/ui/select";
import type { FormOutcome } from "@/lib/action-result";

/**
 * The settings pages' form (Provider app, Entra Authentication): fields with their errors wired for
 * screen readers, Apply Changes and Reset Changes. It applies over the version it was loaded with, so
 * another administrator's change is refused as a conflict rather than overwritten. Reset Changes
 * discards the edits and loads the stored values, someone else's included, which is what the conflict
 * message asks for. Each page only declares its fields, through the kit its `fields` callback gets.
 */

export type Applied = {
  version: number;
  changedFields: string[];
  id?: string;
  /** A new app credential: the tenants the old one failed or blocked, verified again. */
  reverify?: { runId: string; tenants: number; joined: boolean } | null;
};

type FieldOptions = { hint?: ReactNode; wide?: boolean };
type TextOptions = FieldOptions & { defaultValue: string; type?: "text" | "password"; placeholder?: string; autoComplete?: string };

/** Renders a settings field by name; the name is the input's id, its form key and its error's key. */
export type FieldKit = {
  text(name: string, label: string, options: TextOptions): ReactNode;
  textarea(name: string, label: string, options: FieldOptions & { defaultValue: string; rows: number }): ReactNode;
  select<V extends string>(
    name: string,
    label: string,
    options: FieldOptions & { value: V; onChange: (value: V) => void; choices: readonly (readonly [V, string])[] },
  ): ReactNode;
  file(name: string, label: string, options: FieldOptions & { accept: string }): ReactNode;
  checkbox(name: string, label: string, options: FieldOptions & { defaultChecked: boolean }): ReactNode;
};

const subscribeNothing = () => () => {};
const UNREACHABLE = "The console could not be reached, so nothing was applied. Check the connection and try again.";

function kitFor(errors: Record<string, string[] | undefined>): FieldKit {
  const err = (name: string) => errors[name]?.join(" ");
  const span = (wide?: boolean) => (wide ? "md:col-span-2" : undefined);
  return {
    text: (name, label, o) => (
      <div key={name} className={span(o.wide)}>
        <FormField id={name} label={label} hint={o.hint} error={err(name)}>
          {(a) => (
            <input
              {...a}
              name={name}
              type={o.type ?? "text"}
              defaultValue={o.defaultValue}
              placeholder={o.placeholder}
              className={inputClass}
              autoComplete={o.autoComplete ?? "off"}
              spellCheck={false}
            />
          )}
        </FormField>
      </div>
    ),
    textarea: (name, label, o) => (
      <div key={name} className={span(o.wide)}>
        <FormField id={name} label={label} hint={o.hint} error={err(name)}>
          {(a) => <textarea {...a} name={name} rows={o.rows} defaultValue={o.defaultValue} className={`${inputClass} font-mono`} spellCheck={false} />}
        </FormField>
      </div>
    ),
    select: (name, label, o) => (
      <div key={name} className={span(o.wide)}>
        <FormField id={name} label={label} hint={o.hint} error={err(name)}>
          {(a) => (
            <Select {...a} name={name} value={o.value} onChange={o.onChange} className={inputClass}>
              {o.choices.map(([value, text]) => (
                <option key={value} value={value}>
                  {text}
                </option>
              ))}
            </Select>
          )}
        </FormField>
      </div>
    ),
    file: (name, label, o) => (
      <div key={name} className={span(o.wide)}>
        <FormField id={name} label={label} hint={o.hint} error={err(name)}>
          {(a) => <input {...a} name={name} type="file" accept={o.accept} className="block w-full text-sm" />}
        </FormField>
      </div>
    ),
    checkbox: (name, label, o) => {
      const error = err(name);
      const describedBy = [o.hint ? `${name}-hint` : null, error ? `${name}-error` : null].filter(Boolean).join(" ") || undefined;
      return (
        <div key={name} className={`flex items-start gap-2 ${span(o.wide) ?? ""}`}>
          <input
            id={name}
            name={name}
            type="checkbox"
            defaultChecked={o.defaultChecked}
            className="mt-0.5 h-4 w-4 rounded border-slate-300"
            aria-describedby={describedBy}
            aria-invalid={error ? true : undefined}
          />
          <div>
            <label htmlFor={name} className="text-sm font-medium text-slate-800">
              {label}
            </label>
            {o.hint && (
              <p id={`${name}-hint`} className="text-xs text-slate-500">
                {o.hint}
              </p>
            )}
            {error && (
              <p id={`${name}-error`} className="mt-1 text-sm text-red-700">
                {error}
              </p>
            )}
          </div>
        </div>
      );
    },
  };
}

export function ApplyResetForm({
  title,
  description,
  version,
  canEdit,
  apply,
  onApplied,
  actions,
  actionResult,
  fields,
}: {
  title: string;
  description: ReactNode;
  /** The version of the values the page loaded. */
  version: number;
  canEdit: boolean;
  apply: (previous: null, form: FormData) => Promise<FormOutcome<Applied>>;
  /** After a successful Apply, e.g. to empty a write-only secret field. */
  onApplied?: (form: HTMLFormElement, applied: Applied) => void;
  /** More buttons beside Apply and Reset. */
  actions?: ReactNode;
  /** What one of those buttons answered, shown right under them (not below the form, out of sight). */
  actionResult?: ReactNode;
  /** The fields; Reset Changes rebuilds them from the stored values (their local state included). */
  fields: (kit: FieldKit) => ReactNode;
}) {
  const router = useRouter();
  const [result, setResult] = useState<FormOutcome<Applied> | null>(null);
  const [resets, setResets] = useState(0);
  const [pending, startTransition] = useTransition();
  const [resetting, startReset] = useTransition();
  // Until React has attached onSubmit, a click would submit the form natively; keep the buttons off.
  const hydrated = useSyncExternalStore(
    subscribeNothing,
    () => true,
    () => false,
  );
  const headingId = `${title.toLowerCase().replace(/\W+/g, "-")}-heading`;

  function submit(event: React.FormEvent<HTMLFormElement>) {
    // A transition instead of `action=`: React would reset the uncontrolled fields after a form action,
    // and what the admin typed must stay when a field is refused.
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    startTransition(async () => {
      const outcome = await apply(null, data).catch((): FormOutcome<Applied> => ({ ok: false, error: UNREACHABLE }));
      setResult(outcome);
      if (outcome.ok) onApplied?.(form, outcome.data);
    });
  }

  function reset() {
    setResult(null);
    // One transition: the fields are rebuilt when the stored values have arrived, not before.
    startReset(() => {
      router.refresh();
      setResets((n) => n + 1);
    });
  }

  return (
    <form
      method="post"
      onSubmit={submit}
      onReset={reset}
      noValidate
      aria-labelledby={headingId}
      className="space-y-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
    >
      <div>
        <h2 id={headingId} className="text-base font-semibold">
          {title}
        </h2>
        <p className="text-sm text-slate-600">{description}</p>
      </div>
      <input type="hidden" name="version" value={result?.ok ? result.data.version : version} />
      {/* Off while the stored values load: an edit made meanwhile would be lost when they arrive. */}
      <fieldset disabled={!canEdit || resetting} aria-busy={resetting || undefined} className="grid grid-cols-1 gap-5 md:grid-cols-2">
        <Fragment key={resets}>{fields(kitFor(result && !result.ok ? (result.fieldErrors ?? {}) : {}))}</Fragment>
      </fieldset>
      <div aria-live="polite" className="min-h-6">
        {result && !result.ok && (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {result.error}
          </p>
        )}
        {result?.ok && (
          <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
            Changes applied{result.data.changedFields.length ? `: ${result.data.changedFields.join(", ")}` : " (nothing changed)"}.
            {result.data.reverify &&
              (result.data.reverify.joined
                ? ` A verification run was already active; verify the ${result.data.reverify.tenants} tenants the old credential failed once it ends.`
                : ` Verifying again the ${result.data.reverify.tenants} tenant${result.data.reverify.tenants === 1 ? "" : "s"} the old credential failed or blocked.`)}
          </p>
        )}
      </div>
      {(canEdit || actions) && (
        <div className="flex flex-wrap gap-3">
          {canEdit && (
            <>
              <button
                type="submit"
                disabled={pending || resetting || !hydrated}
                className="rounded-md bg-blue-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-blue-800 disabled:opacity-60"
              >
                {pending ? "Applying…" : "Apply Changes"}
              </button>
              <button
                type="reset"
                disabled={pending || resetting || !hydrated}
                className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50"
              >
                Reset Changes
              </button>
            </>
          )}
          {actions}
        </div>
      )}
      {actionResult}
    </form>
  );
}

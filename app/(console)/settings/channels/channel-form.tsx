"use client";

import { useRouter } from "next/navigation";
import { useActionState, useState, type ReactNode } from "react";
import { FormField, inputClass } from "@/components/form-field";
import { Select } from "@/components/ui/select";
import { Button } from "@/components/ui/button";
import type { FormResult } from "@/lib/action-result";
import type { ChannelKindName } from "@/lib/notify/channels/config";
import { channelKindLabels } from "@/lib/validations/channel";
import { createChannelAction, updateChannelAction } from "./actions";
import { SigningSecretReveal } from "./signing-secret-reveal";

/** What the form shows of a stored channel: its settings and hints, never a secret. */
export type ChannelFormValues = {
  id: string;
  name: string;
  kind: ChannelKindName;
  enabled: boolean;
  config: Record<string, unknown>;
  secretHint: string | null;
  version: number;
};

export type RegistrationChoice = { id: string; name: string };

const kinds = Object.entries(channelKindLabels) as [ChannelKindName, string][];

const text = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "");
const list = (v: unknown) => (Array.isArray(v) ? v.join(", ") : text(v));

type Created = { id: string; signingSecret: string | null };
type Saved = { id: string; version: number; changedFields: string[] };

/**
 * Creates a channel (`channel` null: the kind is chosen here) or edits one. Secret fields are write-only:
 * always empty, "unchanged" as placeholder once stored, and never echoed back after a refusal.
 */
export function ChannelForm({ channel, registrations }: { channel: ChannelFormValues | null; registrations: RegistrationChoice[] }) {
  const router = useRouter();
  const [kind, setKind] = useState<ChannelKindName>(channel?.kind ?? "WEBHOOK");
  const [created, setCreated] = useState<Created | null>(null);
  // A webhook's URL is not a secret, but a Teams URL of the same name is: the server echoes neither, so the form keeps it.
  const [typedUrl, setTypedUrl] = useState<string | null>(null);
  const [state, formAction, pending] = useActionState(async (previous: FormResult<Created | Saved>, form: FormData): Promise<FormResult<Created | Saved>> => {
    setTypedUrl(form.get("kind") === "TEAMS" || channel?.kind === "TEAMS" ? null : String(form.get("url") ?? ""));
    const result = channel ? await updateChannelAction(null, form) : await createChannelAction(null, form);
    if (result.ok && !channel) {
      const c = result.data as Created;
      if (c.signingSecret) setCreated(c);
      else router.push(`/settings/channels/${c.id}`);
    }
    return result;
  }, null);

  if (created?.signingSecret) {
    return (
      <section aria-labelledby="created-heading" className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 id="created-heading" className="text-base font-semibold">
          Channel created
        </h2>
        <SigningSecretReveal secret={created.signingSecret} />
        <Button variant="primary" onClick={() => router.push(`/settings/channels/${created.id}`)}>
          I have configured the receiver, continue
        </Button>
      </section>
    );
  }

  const errors = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  const typed = state && !state.ok ? state.values : undefined;
  const value = (name: string, stored: string) => (name === "url" && state && !state.ok ? (typedUrl ?? stored) : (typed?.[name] ?? stored));
  const err = (name: string) => errors[name]?.join(" ");
  const config = channel?.config ?? {};

  function field(name: string, label: string, stored: string, o: { hint?: ReactNode; type?: string; placeholder?: string; wide?: boolean } = {}) {
    return (
      <div className={o.wide ? "md:col-span-2" : undefined}>
        <FormField id={`channel-${name}`} label={label} hint={o.hint} error={err(name)}>
          {(a) => (
            <input
              {...a}
              name={name}
              type={o.type ?? "text"}
              defaultValue={value(name, stored)}
              placeholder={o.placeholder}
              className={inputClass}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </FormField>
      </div>
    );
  }

  /** A write-only field: empty, "unchanged" once a secret is stored. */
  function secret(name: string, label: string, o: { hint: ReactNode; type?: string }) {
    const stored = Boolean(channel?.secretHint);
    return (
      <div className="md:col-span-2">
        <FormField
          id={`channel-${name}`}
          label={label}
          hint={
            stored ? (
              <>
                Stored ({channel?.secretHint}). Leave empty to keep it. {o.hint}
              </>
            ) : (
              o.hint
            )
          }
          error={err(name)}
        >
          {(a) => (
            <input
              {...a}
              name={name}
              type={o.type ?? "password"}
              defaultValue=""
              placeholder={stored ? "unchanged" : ""}
              className={inputClass}
              autoComplete="new-password"
              spellCheck={false}
            />
          )}
        </FormField>
      </div>
    );
  }

  const saved = state?.ok && channel ? (state.data as Saved) : null;
  return (
    <section className="space-y-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="channel-form-heading" className="text-base font-semibold">
        {channel ? "Settings" : "New channel"}
      </h2>
      {/* Outside the form: React resets a form's fields after its action, and the kind must survive a refusal. */}
      {channel ? (
        <p className="text-sm">
          <span className="text-slate-600">Kind:</span> <span className="font-medium">{channelKindLabels[channel.kind]}</span>
        </p>
      ) : (
        <div className="max-w-md">
          <FormField id="channel-kind" label="Kind" error={err("kind")}>
            {(a) => (
              <Select {...a} value={kind} onChange={setKind} className={inputClass}>
                {kinds.map(([k, label]) => (
                  <option key={k} value={k}>
                    {label}
                  </option>
                ))}
              </Select>
            )}
          </FormField>
        </div>
      )}
      <form
        key={channel ? `${channel.id}-${channel.version}` : kind}
        action={formAction}
        className="space-y-5"
        aria-labelledby="channel-form-heading"
        noValidate
      >
        <input type="hidden" name="kind" value={kind} />
        {channel && <input type="hidden" name="id" value={channel.id} />}
        {channel && <input type="hidden" name="version" value={channel.version} />}
        {state && !state.ok && (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {state.error}
          </p>
        )}
        <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
          {field("name", "Name", channel?.name ?? "", { hint: "How rules and the delivery log name it, e.g. NOC mailbox or PSA webhook." })}
          <div className="flex items-start gap-2 self-end pb-2">
            <input
              id="channel-enabled"
              name="enabled"
              type="checkbox"
              defaultChecked={channel?.enabled ?? true}
              className="mt-0.5 h-4 w-4 rounded border-slate-300"
            />
            <label htmlFor="channel-enabled" className="text-sm font-medium text-slate-800">
              Enabled (notifications are sent to it)
            </label>
          </div>
          {kind === "SMTP" && (
            <>
              {field("host", "SMTP host", text(config.host), { hint: "Your mail server or relay, e.g. smtp.office365.com." })}
              {field("port", "Port", text(config.port) || "587", { hint: "587 for STARTTLS, 465 for TLS, 25 for a local relay." })}
              <div>
                <FormField id="channel-security" label="Security" error={err("security")}>
                  {(a) => (
                    <select {...a} name="security" defaultValue={value("security", text(config.security) || "starttls")} className={inputClass}>
                      <option value="starttls">STARTTLS (required)</option>
                      <option value="tls">TLS from the start</option>
                      <option value="none">None (local relay only)</option>
                    </select>
                  )}
                </FormField>
              </div>
              {field("user", "User", text(config.user), { hint: "Leave empty for a relay that does not authenticate." })}
              {secret("password", "Password", { hint: "Stored encrypted; never shown again." })}
              {field("from", "From", text(config.from), { hint: "The sender address the server accepts, e.g. alerts@msp.example." })}
              {field("to", "To", list(config.to), { hint: "One or more addresses, separated by commas.", wide: true })}
            </>
          )}
          {kind === "GRAPH_MAIL" && (
            <>
              <div>
                <FormField
                  id="channel-appRegistrationId"
                  label="App registration"
                  hint="One of your app registrations with the application permission Mail.Send, consented in your own tenant."
                  error={err("appRegistrationId")}
                >
                  {(a) => (
                    <select {...a} name="appRegistrationId" defaultValue={value("appRegistrationId", text(config.appRegistrationId))} className={inputClass}>
                      <option value="">Choose…</option>
                      {registrations.map((r) => (
                        <option key={r.id} value={r.id}>
                          {r.name}
                        </option>
                      ))}
                    </select>
                  )}
                </FormField>
              </div>
              {field("mailbox", "Send from mailbox", text(config.mailbox), { hint: "A mailbox in your own tenant, e.g. alerts@msp.example." })}
              {field("to", "To", list(config.to), { hint: "One or more addresses, separated by commas.", wide: true })}
            </>
          )}
          {kind === "TEAMS" &&
            secret("url", "Workflow URL", {
              type: "text",
              hint: 'In Teams: the channel\'s Workflows → "Send webhook alerts to a channel"; paste its HTTP POST URL. It carries its own signature, so it is stored like a password.',
            })}
          {kind === "WEBHOOK" &&
            field("url", "Receiver URL", text(config.url), {
              wide: true,
              hint: "https only. Each POST is signed per Standard Webhooks; the signing secret is shown once when the channel is created.",
            })}
        </div>
        <div className="flex items-center gap-3">
          <Button type="submit" variant="primary" pending={pending}>
            {channel ? "Save" : "Create channel"}
          </Button>
          <span role="status" aria-live="polite" className="text-sm text-emerald-800">
            {saved ? (saved.changedFields.length ? `Saved: ${saved.changedFields.join(", ")} changed.` : "Saved: nothing changed.") : ""}
          </span>
        </div>
      </form>
    </section>
  );
}

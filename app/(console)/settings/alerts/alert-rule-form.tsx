"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useSyncExternalStore, useTransition } from "react";
import { FormField, inputClass } from "@/components/form-field";
import { Select } from "@/components/ui/select";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import type { FormResult } from "@/lib/action-result";
import type { ChannelChoice, TagChoice } from "@/lib/data/alert-rules";
import { eventTypeInfo, eventTypes, severities, severityRank, type EventType, type Severity } from "@/lib/notify/events";
import type { AlertRuleView } from "@/lib/notify/rules";
import { settleAction } from "@/lib/settle-action";
import { createAlertRuleAction, updateAlertRuleAction, type SavedAlertRule } from "./actions";
import { severityLabels } from "./labels";

const noSubscription = () => () => {};
const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** Every IANA zone the browser knows, UTC first; the rule's own zone is kept even if this browser lacks it. */
function timeZones(current: string): string[] {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set(["UTC", current, ...zones])];
}

const checkboxCard =
  "flex cursor-pointer items-start gap-3 rounded-lg border border-slate-300 px-3 py-2 hover:bg-slate-50 has-[:checked]:border-blue-600 has-[:checked]:bg-blue-50/60";

/**
 * Creates or edits an alert rule. A transition instead of `action=` keeps what the admin chose when the
 * server refuses; each field's message appears under it, wired with aria-describedby.
 */
export function AlertRuleForm({ rule, channels, tags }: { rule: AlertRuleView | null; channels: ChannelChoice[]; tags: TagChoice[] }) {
  const router = useRouter();
  const [state, setState] = useState<FormResult<SavedAlertRule>>(null);
  const [pending, startTransition] = useTransition();
  const [events, setEvents] = useState<EventType[]>(rule?.events ?? []);
  const [minSeverity, setMinSeverity] = useState<Severity>(rule?.minSeverity ?? "warning");
  // A new rule starts in the browser's zone; the server render (and hydration) says UTC until then.
  const detectedZone = useSyncExternalStore(noSubscription, browserTimeZone, () => "UTC");
  const [chosenZone, setChosenZone] = useState<string | null>(rule?.timeZone ?? null);
  const timeZone = chosenZone ?? detectedZone;
  const err = (k: string) => (state && !state.ok ? state.fieldErrors?.[k]?.join(" ") : undefined);

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(async () => {
      const result = await settleAction(rule ? updateAlertRuleAction(null, data) : createAlertRuleAction(null, data));
      setState(result);
      if (result?.ok) {
        router.push(`/settings/alerts?saved=${encodeURIComponent(result.data.id)}`);
        router.refresh();
      }
    });
  }

  const selected = events.length ? events : eventTypes;
  const belowMinimum = selected.filter((t) => severityRank[eventTypeInfo[t].severity] < severityRank[minSeverity]);
  const channelsError = err("channelIds");

  return (
    <form onSubmit={submit} noValidate className="space-y-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      {rule && (
        <>
          <input type="hidden" name="id" value={rule.id} />
          <input type="hidden" name="version" value={rule.version} />
        </>
      )}
      {state && !state.ok && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {state.error}
        </p>
      )}

      <div className="grid gap-4 sm:grid-cols-[1fr_auto] sm:items-start">
        <FormField id="rule-name" label="Name" error={err("name")} hint='What it is for, e.g. "Lost access → service desk".'>
          {(a) => <input {...a} name="name" defaultValue={rule?.name ?? ""} maxLength={100} className={inputClass} autoComplete="off" required />}
        </FormField>
        <label className="flex items-center gap-2 pt-7 text-sm font-medium text-slate-800">
          <input type="checkbox" name="enabled" defaultChecked={rule?.enabled ?? true} className="h-4 w-4 rounded border-slate-400 accent-blue-700" />
          Enabled
        </label>
      </div>

      <fieldset aria-describedby="rule-events-hint">
        <legend className="text-sm font-medium text-slate-800">Events</legend>
        <p id="rule-events-hint" className="mt-0.5 text-xs text-slate-500">
          None ticked means every event type, including ones added later.
        </p>
        <div className="mt-2 grid gap-2 sm:grid-cols-2">
          {eventTypes.map((t) => (
            <label key={t} className={checkboxCard}>
              <input
                type="checkbox"
                name="events"
                value={t}
                checked={events.includes(t)}
                onChange={(e) => setEvents((now) => (e.target.checked ? [...now, t] : now.filter((x) => x !== t)))}
                className="mt-0.5 h-4 w-4 shrink-0 accent-blue-700"
                aria-describedby={`rule-event-${t}`}
              />
              <span className="min-w-0">
                <span className="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900">
                  {eventTypeInfo[t].label}
                  <span className="text-xs font-normal text-slate-500">{severityLabels[eventTypeInfo[t].severity]}</span>
                </span>
                <span id={`rule-event-${t}`} className="block text-xs text-slate-600">
                  {eventTypeInfo[t].description}
                </span>
              </span>
            </label>
          ))}
        </div>
        {err("events") && <p className="mt-1 text-sm text-red-700">{err("events")}</p>}
      </fieldset>

      <div className="grid gap-4 sm:grid-cols-2">
        <FormField
          id="rule-min-severity"
          label="Minimum severity"
          error={err("minSeverity")}
          hint={
            belowMinimum.length > 0
              ? `Not sent with this minimum: ${belowMinimum.map((t) => eventTypeInfo[t].label).join(", ")}.`
              : "Events below it are not sent by this rule."
          }
        >
          {(a) => (
            <Select {...a} name="minSeverity" value={minSeverity} onChange={setMinSeverity} className={inputClass}>
              {severities.map((s) => (
                <option key={s} value={s}>
                  {severityLabels[s]}
                </option>
              ))}
            </Select>
          )}
        </FormField>
        <FormField
          id="rule-expiring-days"
          label="Access breaks within (days)"
          error={err("expiringWithinDays")}
          hint="For “Access breaks soon”: how far ahead a secret, certificate or refresh token expiring counts."
        >
          {(a) => (
            <input {...a} type="number" name="expiringWithinDays" min={1} max={365} defaultValue={rule?.expiringWithinDays ?? 14} className={inputClass} />
          )}
        </FormField>
      </div>

      <fieldset aria-describedby={cn("rule-channels-hint", channelsError && "rule-channels-error")} aria-invalid={channelsError ? true : undefined}>
        <legend className="text-sm font-medium text-slate-800">Channels</legend>
        <p id="rule-channels-hint" className="mt-0.5 text-xs text-slate-500">
          Where this rule&apos;s notifications go. A disabled channel receives nothing until it is enabled again.
        </p>
        {channels.length === 0 ? (
          <p className="mt-2 rounded-md border border-dashed border-slate-300 p-3 text-sm text-slate-600">
            No channel yet.{" "}
            <Link href="/settings/channels" className="font-medium text-blue-700 underline">
              Add a channel
            </Link>{" "}
            (email, Teams or a webhook) first.
          </p>
        ) : (
          <div className={cn("mt-2 grid gap-2 sm:grid-cols-2", channelsError && "rounded-lg bg-red-50/60 p-2 ring-1 ring-red-300")}>
            {channels.map((c) => (
              <label key={c.id} className={checkboxCard}>
                <input
                  type="checkbox"
                  name="channelIds"
                  value={c.id}
                  defaultChecked={rule?.channels.some((x) => x.id === c.id)}
                  className="mt-0.5 h-4 w-4 shrink-0 accent-blue-700"
                />
                <span className="min-w-0">
                  <span className="block truncate text-sm font-medium text-slate-900">{c.name}</span>
                  <span className="block text-xs text-slate-600">
                    {c.kindLabel}
                    {!c.enabled && <span className="font-medium text-amber-700"> · disabled</span>}
                  </span>
                </span>
              </label>
            ))}
          </div>
        )}
        {channelsError && (
          <p id="rule-channels-error" className="mt-1 text-sm text-red-700">
            {channelsError}
          </p>
        )}
      </fieldset>

      <fieldset aria-describedby="rule-tags-hint">
        <legend className="text-sm font-medium text-slate-800">Tags</legend>
        <p id="rule-tags-hint" className="mt-0.5 text-xs text-slate-500">
          Only tenants with one of these tags. None ticked means every tenant.
        </p>
        {tags.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No tags yet: this rule covers every tenant.</p>
        ) : (
          <div className="mt-2 flex flex-wrap gap-2">
            {tags.map((t) => (
              <label
                key={t.id}
                className="flex cursor-pointer items-center gap-2 rounded-md border border-slate-300 px-2.5 py-1.5 text-sm hover:bg-slate-50 has-[:checked]:border-blue-600 has-[:checked]:bg-blue-50/60"
              >
                <input type="checkbox" name="tagIds" value={t.id} defaultChecked={rule?.tags.some((x) => x.id === t.id)} className="h-4 w-4 accent-blue-700" />
                {t.name}
              </label>
            ))}
          </div>
        )}
        {err("tagIds") && <p className="mt-1 text-sm text-red-700">{err("tagIds")}</p>}
      </fieldset>

      <fieldset className="rounded-lg bg-slate-50 p-4">
        <legend className="sr-only">Quiet hours and digest</legend>
        <div className="grid gap-4 sm:grid-cols-3">
          <FormField id="rule-quiet-start" label="Quiet hours from" error={err("quietStart")}>
            {(a) => <input {...a} type="time" name="quietStart" defaultValue={rule?.quietStart ?? ""} className={inputClass} />}
          </FormField>
          <FormField id="rule-quiet-end" label="Quiet hours until" error={err("quietEnd")}>
            {(a) => <input {...a} type="time" name="quietEnd" defaultValue={rule?.quietEnd ?? ""} className={inputClass} />}
          </FormField>
          <FormField id="rule-digest" label="Daily digest at" error={err("digestAt")}>
            {(a) => <input {...a} type="time" name="digestAt" defaultValue={rule?.digestAt ?? ""} className={inputClass} />}
          </FormField>
        </div>
        <p className="mt-2 text-xs text-slate-500">
          During quiet hours notifications are held and sent as one digest when they end. Leave both empty for none. The daily digest (optional) summarises the
          day at the time given.
        </p>
        <div className="mt-4 max-w-sm">
          <FormField id="rule-time-zone" label="Time zone" error={err("timeZone")} hint="Quiet hours and the digest follow this zone's clock.">
            {(a) => (
              <Select {...a} name="timeZone" value={timeZone} onChange={setChosenZone} className={inputClass}>
                {timeZones(timeZone).map((z) => (
                  <option key={z} value={z}>
                    {z.replaceAll("_", " ")}
                  </option>
                ))}
              </Select>
            )}
          </FormField>
        </div>
      </fieldset>

      <div className="flex justify-end gap-2 border-t border-slate-100 pt-4">
        <Link href="/settings/alerts" className="btn btn-secondary btn-md">
          Cancel
        </Link>
        <Button type="submit" variant="primary" pending={pending}>
          {rule ? "Save rule" : "Create rule"}
        </Button>
      </div>
    </form>
  );
}

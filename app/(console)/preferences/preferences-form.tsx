"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useSyncExternalStore, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { LocalTime } from "@/components/ui/local-time";
import { Select } from "@/components/ui/select";
import type { Preferences } from "@/lib/data/preferences";
import { settleAction } from "@/lib/settle-action";
import type { Density } from "@/lib/validations/preferences";
import { updatePreferencesAction } from "../actions";

const BROWSER = "";
const noSubscription = () => () => {};

export function PreferencesForm({ initial, zones }: { initial: Preferences; zones: string[] }) {
  const router = useRouter();
  const id = useId();
  const [timeZone, setTimeZone] = useState(initial.timeZone ?? BROWSER);
  const [density, setDensity] = useState<Density>(initial.density);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const browserZone = useSyncExternalStore(
    noSubscription,
    () => Intl.DateTimeFormat().resolvedOptions().timeZone,
    () => null,
  );
  const [example] = useState(() => Date.now());

  const save = (event: React.FormEvent) => {
    event.preventDefault();
    startTransition(async () => {
      const result = await settleAction(updatePreferencesAction({ timeZone: timeZone === BROWSER ? null : timeZone, density }));
      setMessage(result.ok ? { ok: true, text: "Preferences saved." } : { ok: false, text: result.error });
      if (result.ok) router.refresh();
    });
  };

  return (
    <form onSubmit={save} className="card space-y-5 p-5">
      <div>
        <label htmlFor={`${id}-tz`} className="block text-sm font-medium text-slate-900">
          Time zone
        </label>
        <p id={`${id}-tz-hint`} className="text-sm text-slate-600">
          Dates and times in tables, pages and exports. Emails and chat messages always name UTC.
        </p>
        <Select
          id={`${id}-tz`}
          aria-describedby={`${id}-tz-hint`}
          value={timeZone}
          onChange={setTimeZone}
          className="mt-2 block w-full max-w-sm rounded-md border border-slate-300 px-3 py-2 text-sm"
        >
          <option value={BROWSER}>This browser&apos;s ({browserZone ?? "detecting…"})</option>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </Select>
        <p className="mt-2 text-sm text-slate-600">
          Now: <LocalTime value={example} renderedAt={example} />
        </p>
      </div>
      <fieldset>
        <legend className="text-sm font-medium text-slate-900">Tenants table density</legend>
        <div className="mt-2 flex flex-wrap gap-4 text-sm">
          {(
            [
              ["comfortable", "Comfortable", "names and details on two lines"],
              ["compact", "Compact", "one line a tenant, more tenants on screen"],
            ] as const
          ).map(([value, label, hint]) => (
            <label key={value} className="flex items-start gap-2">
              <input type="radio" name="density" value={value} checked={density === value} onChange={() => setDensity(value)} className="mt-1" />
              <span>
                <span className="font-medium">{label}</span>
                <span className="block text-slate-600">{hint}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" pending={pending}>
          Save preferences
        </Button>
        <p role="status" className={message?.ok === false ? "text-sm text-red-700" : "text-sm text-emerald-700"}>
          {message?.text}
        </p>
      </div>
    </form>
  );
}

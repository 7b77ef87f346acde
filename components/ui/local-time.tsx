"use client";

import { createContext, useContext, useEffect, useSyncExternalStore } from "react";
import { DEFAULT_TIME_ZONE, formatDateTime, relativeTime } from "@/lib/dates";

/**
 * Every moment the console shows goes through `LocalTime`, in the one format of lib/dates.ts: the absolute
 * date and time in the admin's time zone as the text, the relative form ("3 hours ago") as the hint.
 *
 * The zone: the admin's preference, else the browser's, which the browser keeps in the `tz` cookie so the
 * server renders the next page in it. The console layout resolves both on the server and provides the
 * result (`TimeZoneProvider`), so server markup and hydration agree. Only when neither is known yet (the
 * very first page after sign-in) does the server render UTC and the browser switch to its own zone after
 * hydration. The relative hint is computed from the page's render time until hydration, then kept fresh
 * every 30 seconds; the newer of the browser's tick and the page's render time is "now", so a row
 * refreshed right after a verification never reads "in a few seconds".
 */

export const TIME_ZONE_COOKIE = "tz";

const TimeZoneContext = createContext<string | null>(null);

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || DEFAULT_TIME_ZONE;

/** `zone`: the admin's preference or the browser's from its cookie, null when neither is known. */
export function TimeZoneProvider({ zone, children }: { zone: string | null; children: React.ReactNode }) {
  useEffect(() => {
    const zoneNow = browserZone();
    const current = document.cookie.match(/(?:^|; )tz=([^;]*)/)?.[1];
    if (current === undefined || decodeURIComponent(current) !== zoneNow)
      document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(zoneNow)}; path=/; max-age=31536000; samesite=lax`;
  }, []);
  return <TimeZoneContext.Provider value={zone}>{children}</TimeZoneContext.Provider>;
}

let clientNow = 0;
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    clientNow = Date.now();
    timer = setInterval(() => {
      clientNow = Date.now();
      listeners.forEach((l) => l());
    }, 30_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

const getSnapshot = () => clientNow || (clientNow = Date.now());
const getServerSnapshot = () => 0;
const noSubscription = () => () => {};

/** The zone dates are shown in: the provided one, else the browser's once hydrated, else UTC. */
export function useTimeZone(): string {
  const provided = useContext(TimeZoneContext);
  const hydrated = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  return provided ?? (hydrated ? browserZone() : DEFAULT_TIME_ZONE);
}

export function LocalTime({
  value,
  renderedAt,
  empty = "Never",
  className,
}: {
  value: Date | string | number | null;
  renderedAt: number;
  empty?: string;
  className?: string;
}) {
  const now = useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
  const zone = useTimeZone();
  if (value === null || value === "") return <span className={className ?? "text-slate-500"}>{empty}</span>;
  const at = new Date(value);
  const relative = relativeTime(at.getTime(), now !== 0 ? Math.max(now, renderedAt) : renderedAt);
  return (
    // To the minute, as shown ("2026-12-06T23:40Z" is a valid datetime): a table repeats it on every row.
    <time dateTime={`${at.toISOString().slice(0, 16)}Z`} title={relative} className={className}>
      {formatDateTime(at, zone)}
    </time>
  );
}

/** "Europe/Paris": the zone the page's dates are in, named once per page (the header). */
export function TimeZoneName({ className }: { className?: string }) {
  return <span className={className}>{useTimeZone()}</span>;
}

/** For text that cannot hold a component (a toast, a sentence built in code): the one format, in the page's zone. */
export function useDateFormatter(): (value: Date | string | number) => string {
  const zone = useTimeZone();
  return (value) => formatDateTime(value, zone);
}

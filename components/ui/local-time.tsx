"use client";

import { useSyncExternalStore } from "react";

/**
 * A moment shown relative to now ("3 hours ago"), with the exact time in the admin's own time zone on
 * hover. The server (and hydration) render uses the page's render time and UTC, so markup matches; the
 * browser then switches to its time zone and keeps the relative text fresh every 30 seconds. The newer of
 * the browser's tick and the page's render time is "now", so a row refreshed from the server right after a
 * verification never reads "in a few seconds".
 * `absolute` turns it round for deadlines ("Access breaks on"): the date is the text, and the relative
 * time with the exact moment is the hover title.
 */

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

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["week", 7 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

export function relativeTime(at: number, now: number) {
  const diff = at - now;
  if (Math.abs(diff) < 45_000) return diff > 0 ? "in a few seconds" : "just now";
  for (const [unit, ms] of units) if (Math.abs(diff) >= ms || unit === "minute") return rtf.format(Math.round(diff / ms), unit);
  return rtf.format(Math.round(diff / 60_000), "minute");
}

export function LocalTime({
  value,
  renderedAt,
  empty = "Never",
  className,
  absolute = false,
}: {
  value: Date | string | null;
  renderedAt: number;
  empty?: string;
  className?: string;
  absolute?: boolean;
}) {
  const now = useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
  if (!value) return <span className={className ?? "text-slate-500"}>{empty}</span>;
  const at = new Date(value);
  const hydrated = now !== 0;
  const exact = hydrated ? at.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "long" }) : `${at.toISOString().replace("T", " ").slice(0, 19)} UTC`;
  const relative = relativeTime(at.getTime(), hydrated ? Math.max(now, renderedAt) : renderedAt);
  if (absolute) {
    const date = at.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", ...(hydrated ? {} : { timeZone: "UTC" }) });
    return (
      <time dateTime={at.toISOString()} title={`${relative} (${exact})`} className={className}>
        {date}
      </time>
    );
  }
  return (
    <time dateTime={at.toISOString()} title={exact} className={className}>
      {relative}
    </time>
  );
}

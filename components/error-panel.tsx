"use client";

import { Button, buttonClass } from "@/components/ui/button";

/** Next.js's digest of a server error: the one detail of it that reaches the browser (the message does not). */
function referenceOf(error: unknown): string | null {
  return error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : null;
}

/**
 * What the error boundaries (app/error.tsx, app/(console)/error.tsx, app/global-error.tsx) show: a plain
 * message, the error's reference when the server raised it (instrumentation.ts logs it next to the
 * request id, so the reference leads to the request), "Try again", which renders the page again from
 * the server, and a way out. No message, stack or other detail of the error is shown.
 */
export function ErrorPanel({ error, retry, home }: { error: unknown; retry: () => void; home: { href: string; label: string } }) {
  const reference = referenceOf(error);
  return (
    <section role="alert" aria-labelledby="error-heading" className="mx-auto max-w-lg rounded-xl border border-red-200 bg-white p-6 shadow-sm">
      <h1 id="error-heading" className="text-xl font-semibold text-slate-900">
        Something went wrong
      </h1>
      <p className="mt-2 text-sm text-slate-600">
        The console could not show this page. Nothing was changed by showing it. Try again; if it keeps failing, give your administrator the reference below.
      </p>
      {reference && (
        <p className="mt-3 text-sm text-slate-700">
          Reference: <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">{reference}</code>
        </p>
      )}
      <div className="mt-5 flex flex-wrap items-center gap-2">
        <Button variant="primary" onClick={() => retry()}>
          Try again
        </Button>
        {/* A full load, not a client navigation: the app shell itself may be what failed. */}
        <a href={home.href} className={buttonClass("secondary")}>
          {home.label}
        </a>
      </div>
    </section>
  );
}

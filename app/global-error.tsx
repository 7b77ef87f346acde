"use client";

import { ErrorPanel } from "@/components/error-panel";
import "./globals.css";

/** The root layout itself failed: this replaces the whole document, so it brings its own html, body and styles. */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        <title>Something went wrong · Tenant Access Console</title>
        <main className="flex min-h-screen items-center justify-center px-4">
          <ErrorPanel error={error} retry={retry} home={{ href: "/", label: "Go to the start page" }} />
        </main>
      </body>
    </html>
  );
}

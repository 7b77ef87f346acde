"use client";

import { ErrorPanel } from "@/components/error-panel";

/** A page outside the console shell failed (sign-in, consent landing page, forbidden). */
export default function RootError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <ErrorPanel error={error} retry={retry} home={{ href: "/", label: "Go to the start page" }} />
    </main>
  );
}

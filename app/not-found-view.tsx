"use client";

import Link from "next/link";

/**
 * The console's 404. A client component: the root layout sends its not-found view with every page's
 * flight data, and as a client component that is a reference instead of the whole tree.
 */
export function NotFoundView() {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="max-w-md rounded-xl border border-slate-200 bg-white p-6 text-center shadow-sm">
        <h1 className="text-xl font-semibold">Page not found</h1>
        <p className="mt-2 text-sm text-slate-600">There is nothing at this address. It may have been a tenant that was deleted.</p>
        <Link href="/tenants" className="mt-4 inline-block text-sm font-medium text-blue-700 hover:underline">
          Back to tenants
        </Link>
      </div>
    </main>
  );
}

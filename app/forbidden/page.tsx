import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Not allowed" };

/** Where requireAdmin sends a signed-in admin whose role is too low for the page. */
export default async function ForbiddenPage() {
  const admin = await requireAdmin();
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="max-w-md rounded-xl border border-slate-200 bg-white p-6 text-center shadow-sm">
        <h1 className="text-xl font-semibold">You do not have access to this page</h1>
        <p className="mt-2 text-sm text-slate-600">
          Your role is <strong>{admin.role.toLowerCase()}</strong>. Ask an administrator if you need more access.
        </p>
        <Link href="/tenants" className="mt-4 inline-block text-sm font-medium text-blue-700 hover:underline">
          Back to tenants
        </Link>
      </div>
    </main>
  );
}

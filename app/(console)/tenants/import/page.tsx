import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { ImportForm } from "./import-form";

export const metadata: Metadata = { title: "Import tenants" };

export default async function ImportTenantsPage() {
  await requireAdmin("ADMINISTRATOR");
  return (
    <div className="max-w-5xl space-y-5">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/tenants" className="text-blue-700 underline">
          Authentication Status
        </Link>{" "}
        <span aria-hidden>/</span> Import
      </nav>
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Import tenants from CSV</h1>
        <p className="mt-1 text-sm text-slate-600">
          The file is checked first and nothing is written until every row is valid; then all rows are imported together or none.
        </p>
      </div>
      <section aria-labelledby="format-heading" className="rounded-xl border border-slate-200 bg-white p-5 text-sm shadow-sm">
        <h2 id="format-heading" className="font-semibold">
          File format
        </h2>
        <p className="mt-1 text-slate-700">
          A header line, then one tenant per line. Columns:{" "}
          <code className="font-mono text-xs">customer_id, display_name, tenant, admin_email, auth_method, cloud</code>.
          <code className="font-mono text-xs"> tenant</code> is the Entra tenant ID or a domain; <code className="font-mono text-xs">auth_method</code> is
          APP_REGISTRATION, AUTH_TOKEN or PASSWORD;
          <code className="font-mono text-xs"> cloud</code> is optional (GLOBAL by default); the optional{" "}
          <code className="font-mono text-xs">app_registration</code> names one of your app registrations (Settings → App registrations) for a tenant that does
          not use its cloud&apos;s default one, and a tenant without a cloud takes the registration&apos;s. The optional{" "}
          <code className="font-mono text-xs">tags</code> column lists tag names separated by semicolons (
          <code className="font-mono text-xs">Gold; Healthcare</code>
          ): existing tags are matched by name, case ignored, and tags that do not exist yet are created (grey; recolour them in Settings → Tags). A file
          exported from this console can be imported as it is. The file is UTF-8 (Excel: CSV UTF-8) or UTF-16 with a byte order mark, at most 10 MB.
        </p>
        <pre className="mt-3 overflow-x-auto rounded-md bg-slate-50 p-3 font-mono text-xs text-slate-800">{`customer_id,display_name,tenant,admin_email,auth_method,cloud
CUST-1001,Northwind Traders,northwind.onmicrosoft.com,admin@northwind.example,APP_REGISTRATION,GLOBAL
CUST-1002,Contoso Ltd,6f1e2d3c-1111-4222-8333-944455556666,it@contoso.example,AUTH_TOKEN,GLOBAL`}</pre>
      </section>
      <ImportForm />
    </div>
  );
}

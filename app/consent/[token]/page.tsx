import type { Metadata } from "next";
import { getBranding } from "@/lib/campaigns/branding";
import { recordInvitationOpened } from "@/lib/campaigns/invitations";
import { describeConsentLink } from "@/lib/consent/flow";
import { orList, type DescribedPermission } from "@/lib/consent/permissions";
import { ConsentHeader } from "./consent-header";
import { ContinueButton } from "./continue-button";

export const metadata: Metadata = { title: "Grant access", robots: { index: false } };
export const dynamic = "force-dynamic";

function PermissionTable({ caption, permissions }: { caption: string; permissions: DescribedPermission[] }) {
  if (permissions.length === 0) return null;
  return (
    <table className="mt-3 w-full text-left text-sm">
      <caption className="mb-1 text-left font-medium text-slate-700">{caption}</caption>
      <thead className="sr-only">
        <tr>
          <th scope="col">Permission</th>
          <th scope="col">What it allows</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-200 border-y border-slate-200">
        {permissions.map((p) => (
          <tr key={p.name}>
            <th scope="row" className="w-44 py-2 pr-3 align-top font-mono text-xs font-medium text-slate-800">
              {p.name}
            </th>
            <td className="py-2 text-slate-700">{p.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The customer's landing page: who asks, for which tenant, exactly what Microsoft will ask to grant, and who can grant it. */
export default async function ConsentLandingPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [link, branding] = await Promise.all([describeConsentLink(token), getBranding()]);
  const msp = branding.mspName || "Your service provider";
  const support = branding.supportEmail ? (
    <a className="font-medium text-blue-800 underline" href={`mailto:${branding.supportEmail}`}>
      {branding.supportEmail}
    </a>
  ) : branding.supportUrl ? (
    <a className="font-medium text-blue-800 underline" href={branding.supportUrl} rel="noreferrer">
      {branding.supportUrl}
    </a>
  ) : null;
  if (link) await recordInvitationOpened(token);
  return (
    <main className="flex min-h-screen items-start justify-center bg-slate-50 px-4 py-10 sm:items-center">
      <div className="w-full max-w-2xl rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        {!link ? (
          <>
            <ConsentHeader mspName={branding.mspName} logoUrl={branding.logoPath} customerName="your organization" />
            <h2 className="mt-4 text-lg font-semibold">This link is not valid</h2>
            <p className="mt-2 text-sm text-slate-700">
              It may have expired, been revoked or already been used. Ask {msp} for a new consent link{support ? <> ({support})</> : null}.
            </p>
          </>
        ) : (
          <>
            <ConsentHeader mspName={branding.mspName} logoUrl={branding.logoPath} customerName={link.customerName} />
            <p className="mt-4 text-sm text-slate-700">
              {msp} asks an administrator of <strong>{link.tenant}</strong> to{" "}
              {link.flow === "ADMIN_CONSENT"
                ? "grant admin consent to its application, so it can manage your Microsoft 365 tenant without a user password."
                : "sign in once and authorize its application to act on your behalf with a renewable token."}
            </p>
            {branding.customText && <p className="mt-3 rounded-lg bg-blue-50 p-3 text-sm whitespace-pre-line text-slate-800">{branding.customText}</p>}

            <section aria-labelledby="permissions-heading" className="mt-5">
              <h2 id="permissions-heading" className="text-base font-semibold">
                What Microsoft will ask you to grant
              </h2>
              {link.applicationPermissions.length + link.delegatedPermissions.length === 0 ? (
                <p className="mt-2 text-sm text-slate-700">Microsoft will list the permissions on its own page before you accept.</p>
              ) : (
                <>
                  <PermissionTable
                    caption="Application permissions (used by the application itself, for your whole organization)"
                    permissions={link.applicationPermissions}
                  />
                  <PermissionTable caption="Delegated permissions (used on behalf of the administrator who signs in)" permissions={link.delegatedPermissions} />
                </>
              )}
            </section>

            <section aria-labelledby="role-heading" className="mt-5 rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-950">
              <h2 id="role-heading" className="font-semibold">
                Who can grant it
              </h2>
              <p className="mt-1">
                Sign in with an account of <strong>{link.tenant}</strong> that has the role <strong>{orList(link.rolesNeeded)}</strong>
                {link.flow === "ADMIN_CONSENT" ? " (only these roles can grant application permissions to Microsoft Graph)" : ""}. Other accounts are refused by
                Microsoft.
              </p>
            </section>

            <dl className="mt-5 grid grid-cols-1 gap-3 text-sm sm:grid-cols-2">
              <div>
                <dt className="font-medium text-slate-600">Application (client) ID</dt>
                <dd className="font-mono text-xs break-all">{link.clientId ?? "not configured"}</dd>
              </div>
              <div>
                <dt className="font-medium text-slate-600">Link valid until</dt>
                <dd>{link.expiresAt.toUTCString()}</dd>
              </div>
              {support && (
                <div className="sm:col-span-2">
                  <dt className="font-medium text-slate-600">Questions</dt>
                  <dd>
                    Contact {msp}: {support}
                  </dd>
                </div>
              )}
            </dl>
            <p className="mt-5 text-sm text-slate-700">
              You will sign in on Microsoft&apos;s page and review the permissions there. You can cancel at any time.
            </p>
            <div className="mt-4">
              <ContinueButton token={token} />
            </div>
          </>
        )}
      </div>
    </main>
  );
}

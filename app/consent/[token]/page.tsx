import type { Metadata } from "next";
import { describeConsentLink } from "@/lib/consent/flow";
import { ContinueButton } from "./continue-button";

export const metadata: Metadata = { title: "Grant access", robots: { index: false } };
export const dynamic = "force-dynamic";

export default async function ConsentLandingPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const link = await describeConsentLink(token);
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-10">
      <div className="w-full max-w-lg rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        {!link ? (
          <>
            <h1 className="text-xl font-semibold">This link is not valid</h1>
            <p className="mt-2 text-sm text-slate-700">
              It may have expired, been revoked or already been used. Ask your service provider for a new consent link.
            </p>
          </>
        ) : (
          <>
            <h1 className="text-xl font-semibold">Grant your service provider access to {link.customerName}</h1>
            <p className="mt-2 text-sm text-slate-700">
              Your managed service provider asks an administrator of <strong>{link.tenant}</strong> to{" "}
              {link.flow === "ADMIN_CONSENT"
                ? "grant admin consent to its application, so it can manage your Microsoft 365 tenant without a user password."
                : "sign in once and authorize its application to act on your behalf with a renewable token."}
            </p>
            <dl className="mt-4 space-y-2 rounded-lg bg-slate-50 p-4 text-sm">
              <div>
                <dt className="font-medium text-slate-600">Application (client) ID</dt>
                <dd className="font-mono text-xs">{link.clientId ?? "not configured"}</dd>
              </div>
              <div>
                <dt className="font-medium text-slate-600">
                  {link.flow === "ADMIN_CONSENT" ? "Application permissions requested" : "Delegated permissions requested"}
                </dt>
                <dd>
                  <ul className="mt-1 list-inside list-disc">
                    {link.permissions.map((p) => (
                      <li key={p}>{p}</li>
                    ))}
                  </ul>
                </dd>
              </div>
              {link.flow === "AUTH_CODE" && link.offlineAccess && (
                <div>
                  <dt className="font-medium text-slate-600">Offline access</dt>
                  <dd>Yes: the authorization stays valid while it is used at least every 90 days.</dd>
                </div>
              )}
              <div>
                <dt className="font-medium text-slate-600">Link valid until</dt>
                <dd>{link.expiresAt.toUTCString()}</dd>
              </div>
            </dl>
            <p className="mt-4 text-sm text-slate-700">
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

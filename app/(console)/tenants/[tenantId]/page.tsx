import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cloudLabels } from "@/components/format";
import { StatusBadge } from "@/components/status-badge";
import { LocalTime } from "@/components/ui/local-time";
import { requireAdmin } from "@/lib/auth/session";
import { permits } from "@/lib/commands/command";
import { setAccessTokensBlockedCommand } from "@/lib/commands/access-tokens";
import { setTenantTagsCommand } from "@/lib/commands/tags";
import { updateTenantCommand, verifyTenantCommand } from "@/lib/commands/tenants";
import { tenantAccessTokens } from "@/lib/data/access-tokens";
import { tenantRegistrationInfo } from "@/lib/data/app-registrations";
import { listTags } from "@/lib/data/tags";
import { getTenantDetail } from "@/lib/data/tenants";
import { credentialLabel, explainStatus, methodById } from "@/lib/methods";
import { fixFor } from "@/lib/methods/fixes";
import { AccessTokenSwitch } from "./access-token-switch";
import { AuthorizationPanel } from "./authorization-panel";
import { ConnectionTest } from "./connection-test";
import { CredentialsPanel } from "./credentials-panel";
import { MethodActions, TenantHeaderActions, TenantPageShell, TenantStatusActions } from "./tenant-actions";
import { TenantIncidents } from "./tenant-incidents";
import { TenantTabs } from "./tenant-tabs";
import { TenantTags } from "./tenant-tags";

export const metadata: Metadata = { title: "Tenant" };

function Section({ title, description, children }: { title: string; description?: string; children: React.ReactNode }) {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return (
    <section id={slug} aria-labelledby={`section-${slug}`} className="scroll-mt-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id={`section-${slug}`} className="text-base font-semibold">
        {title}
      </h2>
      {description && <p className="mt-0.5 text-sm text-slate-600">{description}</p>}
      <div className="mt-4">{children}</div>
    </section>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 break-words text-sm text-slate-900">{children}</dd>
    </div>
  );
}

function detailsText(details: Record<string, unknown>) {
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : String(v)}`)
    .join(" · ");
}

/** Everything about one tenant: identity, method and credential metadata (never secrets), status, tests, history, audit. */
export default async function TenantPage({
  params,
  searchParams,
}: {
  params: Promise<{ tenantId: string }>;
  searchParams: Promise<{ credentials?: string; password?: string }>;
}) {
  const admin = await requireAdmin();
  const { tenantId } = await params;
  const { credentials: credentialsParam, password: passwordParam } = await searchParams;
  const canTag = permits(admin.role, setTenantTagsCommand);
  const [tenant, registration, allTags, accessTokens] = await Promise.all([
    getTenantDetail(tenantId),
    tenantRegistrationInfo(tenantId),
    canTag ? listTags() : [],
    tenantAccessTokens(tenantId),
  ]);
  if (!tenant || !registration) notFound();
  // eslint-disable-next-line react-hooks/purity -- a server component renders once per request; this is that request's time
  const now = Date.now();
  const caps = { verify: permits(admin.role, verifyTenantCommand), manage: permits(admin.role, updateTenantCommand) };
  const method = methodById(tenant.authMethod);
  const ownApp = tenant.authMethod === "APP_REGISTRATION" && Boolean(registration.ownApp.clientId);
  const reason = explainStatus(tenant.authMethod, tenant.lastStatusCode, { ownApp });
  const latest = tenant.history[0];
  const notes = latest?.details.notes ?? [];
  const diagnostics = latest?.details.diagnostics;
  const { credentials, history, audit, ...item } = tenant;
  const fix =
    reason && tenant.lastStatus !== "VERIFIED"
      ? fixFor(reason.remediation, {
          tenantId: tenant.id,
          method: tenant.authMethod,
          registrationId: registration.uses?.id ?? null,
          cloud: tenant.cloud,
          ownApp,
        })
      : null;
  const tone = { NEVER: "border-slate-200", VERIFIED: "border-emerald-200", WARNING: "border-amber-300", FAILED: "border-red-300" }[tenant.lastStatus];

  return (
    <TenantPageShell tenant={item} caps={caps}>
      <div className="space-y-5">
        <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
          <Link href="/tenants" className="text-blue-700 underline">
            Authentication Status
          </Link>{" "}
          <span aria-hidden>/</span> {tenant.customerId}
        </nav>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div>
            <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold tracking-tight">
              {tenant.customerId} <StatusBadge status={tenant.lastStatus} />
            </h1>
            <p className="text-sm text-slate-600">
              {tenant.displayName} · {tenant.primaryDomain ?? tenant.entraTenantId ?? "tenant not identified yet"}
            </p>
            <TenantTags tenantId={tenant.id} tags={tenant.tags} allTags={allTags} canEdit={canTag} />
          </div>
          <TenantHeaderActions />
        </div>
        <TenantTabs tenantId={tenant.id} current="overview" />

        <section aria-labelledby="status-heading" className={`rounded-xl border-2 bg-white p-5 shadow-sm ${tone}`}>
          <h2 id="status-heading" className="text-base font-semibold">
            {tenant.lastStatus === "NEVER" ? "Not verified yet" : (reason?.title ?? tenant.lastStatusMessage)}
          </h2>
          <p className="mt-1 text-sm text-slate-700">
            {tenant.lastStatus === "NEVER"
              ? "The console has not checked this tenant's access yet. Verify it once its authorization is in place."
              : reason?.explanation}
            {tenant.lastVerifiedAt && (
              <>
                {" "}
                Last verified <LocalTime value={tenant.lastVerifiedAt} renderedAt={now} />.
              </>
            )}
          </p>
          {tenant.lastStatusMessage && reason && tenant.lastStatusMessage !== reason.title && (
            <p className="mt-1 text-sm text-slate-700">{tenant.lastStatusMessage}</p>
          )}
          {tenant.consentConfirmingUntil && (
            <p className="mt-2 rounded-md bg-blue-50 px-3 py-2 text-sm text-blue-900" data-testid="consent-confirming">
              Consent received; confirming with Microsoft until <LocalTime value={tenant.consentConfirmingUntil} renderedAt={now} />.
              {tenant.lastCheckCode && tenant.lastCheckAt && (
                <>
                  {" "}
                  Last check <LocalTime value={tenant.lastCheckAt} renderedAt={now} />:{" "}
                  {explainStatus(tenant.authMethod, tenant.lastCheckCode)?.title ?? tenant.lastCheckCode}.
                </>
              )}
              {tenant.nextCheckAt && (
                <>
                  {" "}
                  Next check <LocalTime value={tenant.nextCheckAt} renderedAt={now} />.
                </>
              )}
            </p>
          )}
          {!tenant.consentConfirmingUntil && tenant.lastCheckCode && tenant.lastCheckAt && (
            <p className="mt-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="transient-check">
              Last check failed transiently <LocalTime value={tenant.lastCheckAt} renderedAt={now} /> (
              {explainStatus(tenant.authMethod, tenant.lastCheckCode)?.title ?? tenant.lastCheckCode}); the status above is kept while Microsoft recovers.
              {tenant.nextCheckAt && (
                <>
                  {" "}
                  Retrying <LocalTime value={tenant.nextCheckAt} renderedAt={now} />.
                </>
              )}
            </p>
          )}
          {tenant.lastStatus === "FAILED" && tenant.nextCheckAt && (
            <p className="mt-2 text-sm text-slate-600" data-testid="next-check">
              {tenant.failureStreak > 1 ? `Failed ${tenant.failureStreak} checks in a row` : "Failed"}
              {tenant.failingSince && (
                <>
                  {" "}
                  since <LocalTime value={tenant.failingSince} renderedAt={now} />
                </>
              )}
              . Next automatic check <LocalTime value={tenant.nextCheckAt} renderedAt={now} /> (rechecks back off: 1 h, 6 h, 24 h, then daily); Verify checks at
              once.
            </p>
          )}
          {notes.length > 0 && (
            <ul className="mt-1 list-disc pl-5 text-sm text-slate-700">
              {notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
          {reason && reason.remediation.action !== "none" && (
            <div className="mt-3 rounded-lg bg-slate-50 p-3">
              <h3 className="text-sm font-semibold">What to do</h3>
              <p className="mt-0.5 text-sm text-slate-700">{reason.remediation.text}</p>
            </div>
          )}
          <div className="mt-4">
            <TenantStatusActions fix={fix} />
          </div>
          {diagnostics && Object.keys(diagnostics).length > 0 && (
            <details className="mt-4 text-sm">
              <summary className="cursor-pointer font-medium">Diagnostics of the last verification</summary>
              <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-0.5 font-mono text-xs">
                {Object.entries(diagnostics).map(([k, v]) => (
                  <div key={k} className="contents">
                    <dt className="text-slate-500">{k}</dt>
                    <dd className="break-all">{Array.isArray(v) ? v.join(", ") : String(v)}</dd>
                  </div>
                ))}
              </dl>
            </details>
          )}
        </section>

        <div className="grid gap-5 lg:grid-cols-2">
          <Section title="Identity">
            <dl className="grid gap-4 sm:grid-cols-2">
              <Field label="Customer id">{tenant.customerId}</Field>
              <Field label="Display name">{tenant.displayName}</Field>
              <Field label="Entra tenant ID">
                <span className="font-mono text-xs">{tenant.entraTenantId ?? "Not known yet (learned at the first successful check)"}</span>
              </Field>
              <Field label="Default domain">{tenant.primaryDomain ?? "—"}</Field>
              <Field label="M365 admin email">{tenant.adminEmail}</Field>
              <Field label="Cloud">{cloudLabels[tenant.cloud]}</Field>
              <Field label="Added">
                <LocalTime value={tenant.createdAt} renderedAt={now} />
              </Field>
              <Field label="Last changed">
                <LocalTime value={tenant.updatedAt} renderedAt={now} /> (version {tenant.version})
              </Field>
            </dl>
          </Section>
          <Section title="Method and credentials" description="Metadata only: secrets and tokens never leave the server.">
            <dl className="grid gap-4 sm:grid-cols-2">
              <Field label="Authentication method">{method.label}</Field>
              <Field label="App registration">
                {tenant.appClientId ? (
                  <>
                    Customer-owned <span className="font-mono text-xs">{tenant.appClientId}</span>
                  </>
                ) : registration.uses ? (
                  registration.uses.name
                ) : (
                  `None for ${cloudLabels[tenant.cloud]}`
                )}
              </Field>
              <Field label="Access breaks on">
                {tenant.accessBreaksAt ? (
                  <LocalTime value={tenant.accessBreaksAt} renderedAt={now} />
                ) : tenant.lastStatus === "FAILED" ? (
                  "— (broken: see the status)"
                ) : (
                  "No known deadline"
                )}
              </Field>
            </dl>
            <MethodActions />
            {credentials.length === 0 ? (
              <p className="mt-4 rounded-md border border-dashed border-slate-300 p-3 text-sm text-slate-600">
                No credentials stored. {method.authorization.withoutCredentials}
              </p>
            ) : (
              <ul className="mt-4 divide-y divide-slate-100 rounded-md border border-slate-200">
                {credentials.map((c) => (
                  <li key={c.id} className="flex flex-wrap items-baseline justify-between gap-2 px-3 py-2 text-sm">
                    <span>
                      <span className="font-medium">{credentialLabel(c.kind)}</span>
                      {c.label && <span className="ml-2 text-slate-600">{c.label}</span>}
                      {c.hint && <span className="ml-2 font-mono text-xs text-slate-500">{c.hint}…</span>}
                    </span>
                    <span className="text-xs text-slate-600">
                      {c.expiresAt ? (
                        <>
                          expires <LocalTime value={c.expiresAt} renderedAt={now} />
                        </>
                      ) : c.kind === "CLIENT_SECRET" || c.kind === "CERTIFICATE" ? (
                        "expiry unknown"
                      ) : (
                        "no expiry"
                      )}{" "}
                      · updated <LocalTime value={c.updatedAt} renderedAt={now} />
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Section>
        </div>

        <section id="credentials" aria-labelledby="section-credentials" className="scroll-mt-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
          <h2 id="section-credentials" className="text-base font-semibold">
            Credentials
          </h2>
          <p className="mt-0.5 text-sm text-slate-600">The app registration the console signs in with for this tenant. Secrets are write-only.</p>
          <div className="mt-4">
            <CredentialsPanel
              key={credentialsParam ?? ""}
              tenantId={tenant.id}
              info={registration}
              cloudName={cloudLabels[tenant.cloud]}
              canManage={caps.manage}
              startOpen={credentialsParam === "edit"}
            />
          </div>
        </section>

        <Section title="Authorization" description="Obtain, refresh and remove the console's authorization for this tenant.">
          <AuthorizationPanel
            tenantId={tenant.id}
            method={tenant.authMethod}
            state={tenant.authorization}
            reason={tenant.authorization === "BROKEN" ? (tenant.lastStatusMessage ?? tenant.lastStatusCode) : null}
            facts={{
              lastStatus: tenant.lastStatus,
              lastStatusCode: tenant.lastStatusCode,
              credentials: credentials.map(({ kind, label, expiresAt }) => ({ kind, label, expiresAt })),
            }}
            legacyUsername={credentials.find((c) => c.kind === "PASSWORD")?.label ?? null}
            startPasswordOpen={passwordParam === "edit"}
            adminEmail={tenant.adminEmail}
            caps={caps}
          />
        </Section>

        <Section title="Test the connection">
          <ConnectionTest tenantId={tenant.id} canTest={caps.verify} />
        </Section>

        <TenantIncidents tenantId={tenant.id} now={now} />

        <Section title="Verification history" description="The 20 most recent checks, newest first.">
          {history.length === 0 ? (
            <p className="text-sm text-slate-600">No verification yet.{caps.verify ? " Use Verify above to run the first check." : ""}</p>
          ) : (
            <div className="overflow-x-auto">
              <table className="min-w-full text-sm">
                <caption className="sr-only">Verification history</caption>
                <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                  <tr>
                    <th scope="col" className="py-2 pr-4">
                      When
                    </th>
                    <th scope="col" className="py-2 pr-4">
                      Status
                    </th>
                    <th scope="col" className="py-2 pr-4">
                      Reason
                    </th>
                    <th scope="col" className="py-2 pr-4">
                      Duration
                    </th>
                    <th scope="col" className="py-2">
                      Run
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {history.map((h) => (
                    <tr key={h.id}>
                      <td className="whitespace-nowrap py-2 pr-4">
                        <LocalTime value={h.finishedAt} renderedAt={now} />
                      </td>
                      <td className="py-2 pr-4">
                        <StatusBadge status={h.status} />
                      </td>
                      <td className="py-2 pr-4">
                        {h.message} <span className="font-mono text-xs text-slate-500">{h.reasonCode}</span>
                      </td>
                      <td className="py-2 pr-4 tabular-nums">{h.durationMs} ms</td>
                      <td className="py-2 text-xs text-slate-500">{h.runId ? (tenant.historySources[h.runId] ?? "Verify All") : "Single check"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>

        <Section
          title="Access tokens"
          description="Short-lived tokens the MSP's automation got for this tenant through the REST API (POST /api/v1/tenants/{id}/access-token), newest first. Allowed per API token on Settings → API tokens."
        >
          <div className="space-y-4">
            <p className="text-sm text-slate-700" data-testid="access-token-state">
              {accessTokens.blocked ? (
                <>
                  <span className="font-medium text-red-700">Switched off</span> for this tenant by {accessTokens.blocked.by}{" "}
                  <LocalTime value={accessTokens.blocked.at} renderedAt={now} />: every request is refused.
                </>
              ) : tenant.authMethod === "PASSWORD" ? (
                "Never issued for the legacy username + password method."
              ) : (
                "Issued to callers whose grant covers this tenant."
              )}
            </p>
            {permits(admin.role, setAccessTokensBlockedCommand) && <AccessTokenSwitch tenantId={tenant.id} blocked={Boolean(accessTokens.blocked)} />}
            {accessTokens.issuances.length === 0 ? (
              <p className="text-sm text-slate-600">No access token was requested for this tenant.</p>
            ) : (
              <div className="overflow-x-auto">
                <table className="min-w-full text-sm">
                  <caption className="sr-only">Access-token issuances</caption>
                  <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                    <tr>
                      <th scope="col" className="py-2 pr-4">
                        When
                      </th>
                      <th scope="col" className="py-2 pr-4">
                        Caller
                      </th>
                      <th scope="col" className="py-2 pr-4">
                        Outcome
                      </th>
                      <th scope="col" className="py-2 pr-4">
                        Scopes
                      </th>
                      <th scope="col" className="py-2 pr-4">
                        Expires
                      </th>
                      <th scope="col" className="py-2">
                        Request
                      </th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {accessTokens.issuances.map((i) => (
                      <tr key={i.id} className="align-top">
                        <td className="whitespace-nowrap py-2 pr-4">
                          <LocalTime value={i.at} renderedAt={now} />
                        </td>
                        <td className="py-2 pr-4">
                          {i.actorLabel} <span className="text-xs text-slate-500">{i.actorType === "entra_client" ? "Entra client" : "API token"}</span>
                        </td>
                        <td className="py-2 pr-4">
                          {i.issued ? (
                            <span className="text-emerald-800">Issued{i.fromCache ? " (cached)" : ""}</span>
                          ) : (
                            <span className="text-red-700">Refused: {i.reason}</span>
                          )}
                        </td>
                        <td className="max-w-80 break-words py-2 pr-4 font-mono text-xs">{i.scopes.join(" ")}</td>
                        <td className="whitespace-nowrap py-2 pr-4">{i.expiresOn ? <LocalTime value={i.expiresOn} renderedAt={now} /> : "—"}</td>
                        <td className="py-2 font-mono text-xs">
                          {i.requestId ? (
                            <Link href={`/audit?requestId=${encodeURIComponent(i.requestId)}`} className="text-blue-700 hover:underline">
                              {i.requestId.slice(0, 8)}
                            </Link>
                          ) : (
                            "—"
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        </Section>

        <Section title="Audit trail" description="Every change and action on this tenant, newest first.">
          {audit.length === 0 ? (
            <p className="text-sm text-slate-600">No events recorded for this tenant.</p>
          ) : (
            <ol className="divide-y divide-slate-100 text-sm">
              {audit.map((e) => (
                <li key={e.id} className="flex flex-wrap gap-x-4 gap-y-0.5 py-2">
                  <span className="w-36 shrink-0 text-slate-600">
                    <LocalTime value={e.at} renderedAt={now} />
                  </span>
                  <span className="font-mono text-xs leading-5">{e.action}</span>
                  <span className="text-slate-700">{e.actorLabel}</span>
                  <span className="min-w-0 flex-1 text-xs leading-5 text-slate-500">{detailsText(e.details)}</span>
                </li>
              ))}
            </ol>
          )}
        </Section>
      </div>
    </TenantPageShell>
  );
}

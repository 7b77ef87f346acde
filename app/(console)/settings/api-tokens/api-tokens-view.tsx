"use client";

import Link from "next/link";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Dialog } from "@/components/ui/dialog";
import { LocalTime } from "@/components/ui/local-time";
import { ToastProvider, useToast } from "@/components/ui/toast";
import type { ApiTokenStatus } from "@/lib/api-tokens/manage";
import { apiTokenRoleInfo, type ApiTokenRole } from "@/lib/validations/api-token";
import { removeAccessTokenGrantAction, revokeApiTokenAction, type CreatedApiToken } from "./actions";
import { AccessGrantDialog, type GrantRow, type GrantTarget, type TagOption } from "./access-grant-dialog";
import { CreateTokenDialog } from "./create-token-dialog";
import { TokenCreatedDialog } from "./token-created-dialog";
import { settleAction } from "@/lib/settle-action";

export type ApiTokenRow = {
  id: string;
  name: string;
  prefix: string;
  role: ApiTokenRole;
  status: ApiTokenStatus;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  lastUsedAt: string | null;
  lastUsedFrom: string | null;
};

const statusStyles: Record<ApiTokenStatus, { label: string; className: string }> = {
  ACTIVE: { label: "Active", className: "bg-emerald-50 text-emerald-800 ring-emerald-300" },
  EXPIRED: { label: "Expired", className: "bg-amber-50 text-amber-800 ring-amber-300" },
  REVOKED: { label: "Revoked", className: "bg-slate-100 text-slate-600 ring-slate-300" },
};

const EXPIRES_SOON_MS = 7 * 86_400_000;

type ViewProps = { tokens: ApiTokenRow[]; renderedAt: number; grants: GrantRow[]; tags: TagOption[] };

export function ApiTokensView(props: ViewProps) {
  return (
    <ToastProvider>
      <ApiTokens {...props} />
    </ToastProvider>
  );
}

function ApiTokens({ tokens, renderedAt, grants, tags }: ViewProps) {
  const { toast } = useToast();
  const [createOpen, setCreateOpen] = useState(false);
  // Held only while the "copy your token" dialog is open; closing it drops the last copy in the browser.
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiTokenRow | null>(null);
  const [pending, startTransition] = useTransition();
  const [granting, setGranting] = useState<GrantTarget | null>(null);
  const grantOf = (tokenId: string) => grants.find((g) => g.apiTokenId === tokenId) ?? null;

  function removeGrant(grant: GrantRow, who: string) {
    startTransition(async () => {
      const result = await settleAction(removeAccessTokenGrantAction({ id: grant.id }));
      if (result.ok) toast({ kind: "success", title: `Access tokens switched off for ${who}` });
      else toast({ kind: "error", title: "Could not change the grant", description: result.error });
    });
  }

  function onCreated(token: CreatedApiToken) {
    setCreateOpen(false);
    setCreated(token);
    toast({ kind: "success", title: "API token created", description: `${token.name} (${apiTokenRoleInfo[token.role].label})` });
  }

  function revoke() {
    const token = revoking;
    if (!token) return;
    startTransition(async () => {
      const result = await settleAction(revokeApiTokenAction({ id: token.id }));
      setRevoking(null);
      if (result.ok) toast({ kind: "success", title: `${result.data.name} revoked`, description: "Requests with this token are refused from now on." });
      else toast({ kind: "error", title: "Could not revoke the token", description: result.error });
    });
  }

  const activeCount = tokens.filter((t) => t.status === "ACTIVE").length;
  return (
    <div className="space-y-4">
      <section aria-labelledby="api-tokens-heading" className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="max-w-2xl">
            <h2 id="api-tokens-heading" className="text-base font-semibold">
              API tokens
            </h2>
            <p className="text-sm text-slate-600">
              Scripts and other systems call the REST API with <code className="rounded bg-slate-100 px-1 text-xs">Authorization: Bearer &lt;token&gt;</code>. A
              token acts with the role you give it until it expires or you revoke it.{" "}
              <Link href="/api-docs" className="font-medium text-blue-700 underline">
                API reference
              </Link>
            </p>
          </div>
          {tokens.length > 0 && (
            <Button variant="primary" onClick={() => setCreateOpen(true)}>
              Create token
            </Button>
          )}
        </div>

        {tokens.length === 0 ? (
          <EmptyState onCreate={() => setCreateOpen(true)} />
        ) : (
          <div className="-mx-6 -mb-6 overflow-x-auto rounded-b-xl">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">
                API tokens: {activeCount} active of {tokens.length}
              </caption>
              <thead className="border-y border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="py-2 pl-6 pr-3">
                    Name
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Role
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Expires
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Last used
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Status
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Access tokens
                  </th>
                  <th scope="col" className="py-2 pl-3 pr-6">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {tokens.map((t) => (
                  <TokenRow
                    key={t.id}
                    token={t}
                    renderedAt={renderedAt}
                    onRevoke={() => setRevoking(t)}
                    grant={grantOf(t.id)}
                    onGrant={() => setGranting({ token: { id: t.id, name: t.name }, grant: grantOf(t.id) })}
                    onRemoveGrant={(g) => removeGrant(g, t.name)}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}

        <AccessGrantDialog
          target={granting}
          tags={tags}
          onClose={() => setGranting(null)}
          onSaved={() => {
            setGranting(null);
            toast({ kind: "success", title: "Access-token grant saved" });
          }}
        />
        <CreateTokenDialog open={createOpen} onClose={() => setCreateOpen(false)} onCreated={onCreated} />
        <TokenCreatedDialog token={created} onClose={() => setCreated(null)} />
        <Dialog
          open={revoking !== null}
          onClose={() => setRevoking(null)}
          title={`Revoke ${revoking?.name ?? "token"}?`}
          description={
            <>
              Everything that uses <code className="font-mono">{revoking?.prefix}…</code> stops working at once: its next request is refused with 401. The token
              stays listed as Revoked for the audit trail. This cannot be undone.
            </>
          }
        >
          <div className="flex justify-end gap-2">
            <Button onClick={() => setRevoking(null)} disabled={pending} autoFocus>
              Cancel
            </Button>
            <Button variant="danger" onClick={revoke} pending={pending}>
              Revoke token
            </Button>
          </div>
        </Dialog>
      </section>
      <EntraGrants
        grants={grants.filter((g) => g.entraAppId)}
        onAdd={() => setGranting({ token: null, grant: null })}
        onEdit={(g) => setGranting({ token: null, grant: g })}
        onRemove={(g) => removeGrant(g, g.entraAppId ?? "the Entra client")}
        pending={pending}
      />
    </div>
  );
}

const scopeSummary: Record<GrantRow["tenantScope"], (g: GrantRow) => string> = {
  ALL: () => "All tenants",
  LIST: (g) =>
    `${g.customerIds.length} tenant${g.customerIds.length === 1 ? "" : "s"}: ${g.customerIds.slice(0, 3).join(", ")}${g.customerIds.length > 3 ? " …" : ""}`,
  TAGS: (g) => `Tags: ${g.tagNames.join(", ")}`,
};

/** What a grant allows, in one or two lines. */
function GrantSummary({ grant: g }: { grant: GrantRow }) {
  return (
    <div className="max-w-56 text-xs text-slate-700">
      <div className="font-medium text-emerald-800">On · {g.ratePerMinute}/min</div>
      <div className="truncate" title={scopeSummary[g.tenantScope](g)}>
        {scopeSummary[g.tenantScope](g)}
      </div>
      <div className="truncate text-slate-500" title={[...g.resources, ...g.scopes].join("\n")}>
        {[...g.resources, ...g.scopes].join(", ")}
      </div>
    </div>
  );
}

function EntraGrants(props: { grants: GrantRow[]; onAdd: () => void; onEdit: (g: GrantRow) => void; onRemove: (g: GrantRow) => void; pending: boolean }) {
  return (
    <section aria-labelledby="entra-grants-heading" className="space-y-2 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="max-w-2xl">
          <h2 id="entra-grants-heading" className="text-base font-semibold">
            Entra clients allowed access tokens
          </h2>
          <p className="text-xs text-slate-600">
            Apps that call the REST API with an Entra ID access token: they need the app role AccessToken.Request (and Operator) and a grant here.
          </p>
        </div>
        <Button size="sm" onClick={props.onAdd}>
          Allow an Entra client
        </Button>
      </div>
      {props.grants.length === 0 ? (
        <p className="text-sm text-slate-500">None.</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {props.grants.map((g) => (
            <li key={g.id} className="flex flex-wrap items-start justify-between gap-3 py-2">
              <div>
                <div className="font-mono text-xs text-slate-900">{g.entraAppId}</div>
                <GrantSummary grant={g} />
              </div>
              <div className="flex gap-2">
                <Button size="sm" onClick={() => props.onEdit(g)}>
                  Edit<span className="sr-only"> grant of {g.entraAppId}</span>
                </Button>
                <Button size="sm" className="text-red-700" onClick={() => props.onRemove(g)} disabled={props.pending}>
                  Switch off<span className="sr-only"> access tokens for {g.entraAppId}</span>
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function TokenRow({
  token: t,
  renderedAt,
  onRevoke,
  grant,
  onGrant,
  onRemoveGrant,
}: {
  token: ApiTokenRow;
  renderedAt: number;
  onRevoke: () => void;
  grant: GrantRow | null;
  onGrant: () => void;
  onRemoveGrant: (g: GrantRow) => void;
}) {
  const revoked = t.status === "REVOKED";
  const expiresSoon = t.status === "ACTIVE" && new Date(t.expiresAt).getTime() - renderedAt < EXPIRES_SOON_MS;
  const status = statusStyles[t.status];
  return (
    <tr className={cn("align-top", revoked && "bg-slate-50/60 text-slate-500")}>
      <td className="min-w-48 py-3 pl-6 pr-3">
        <div className={cn("break-words font-medium", revoked ? "text-slate-500 line-through decoration-slate-400" : "text-slate-900")}>{t.name}</div>
        <div className="font-mono text-xs text-slate-500" title="The first characters of the token, to recognise it">
          {t.prefix}…
        </div>
        {/* Who created it and when, under its name: one column fewer, so the table fits a laptop's width. */}
        <div className="text-xs text-slate-500">
          Created <LocalTime value={t.createdAt} renderedAt={renderedAt} />
          <div className="max-w-44 truncate" title={t.createdBy}>
            by {t.createdBy}
          </div>
        </div>
      </td>
      <td className="whitespace-nowrap px-3 py-3">{apiTokenRoleInfo[t.role].label}</td>
      {/* Dates may wrap onto two lines, so that the table fits a laptop's width whatever the other cells hold. */}
      <td className="px-3 py-3">
        <LocalTime value={t.expiresAt} renderedAt={renderedAt} className={expiresSoon ? "font-medium text-amber-700" : undefined} />
      </td>
      <td className="px-3 py-3">
        <LocalTime value={t.lastUsedAt} renderedAt={renderedAt} empty="Never" className={t.lastUsedAt ? undefined : "text-slate-500"} />
        {t.lastUsedFrom && <div className="whitespace-nowrap font-mono text-xs text-slate-500">from {t.lastUsedFrom}</div>}
      </td>
      <td className="px-3 py-3">
        <span className={cn("inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset", status.className)}>{status.label}</span>
        {revoked && t.revokedAt && (
          <div className="mt-1 text-xs text-slate-500">
            <LocalTime value={t.revokedAt} renderedAt={renderedAt} />
            {t.revokedBy && (
              <div className="max-w-40 truncate" title={t.revokedBy}>
                by {t.revokedBy}
              </div>
            )}
          </div>
        )}
      </td>
      <td className="px-3 py-3">
        {grant ? <GrantSummary grant={grant} /> : <span className="text-xs text-slate-500">Off</span>}
        {t.status === "ACTIVE" && (
          <div className="mt-1 flex gap-2">
            <Button size="sm" onClick={onGrant}>
              {grant ? "Edit" : "Allow"}
              <span className="sr-only"> access tokens for {t.name}</span>
            </Button>
            {grant && (
              <Button size="sm" className="text-red-700" onClick={() => onRemoveGrant(grant)}>
                Switch off<span className="sr-only"> access tokens for {t.name}</span>
              </Button>
            )}
          </div>
        )}
      </td>
      <td className="py-3 pl-3 pr-6 text-right">
        {!revoked && (
          <Button size="sm" onClick={onRevoke} className="text-red-700">
            Revoke<span className="sr-only"> {t.name}</span>
          </Button>
        )}
      </td>
    </tr>
  );
}

function EmptyState({ onCreate }: { onCreate: () => void }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 px-6 py-10 text-center">
      <p className="text-sm font-semibold text-slate-900">No API tokens yet</p>
      <p className="mx-auto mt-1 max-w-lg text-sm text-slate-600">
        Create a token for each PSA or RMM system, monitoring check or script that should list tenants, start Verify All or fetch consent links without a
        browser. Give it the lowest role that does the job and an expiry; you see the token once, when you create it.
      </p>
      <div className="mt-4 flex items-center justify-center gap-3">
        <Button variant="primary" onClick={onCreate}>
          Create token
        </Button>
        <Link href="/api-docs" className="text-sm font-medium text-blue-700 hover:underline">
          Read the API reference
        </Link>
      </div>
    </div>
  );
}

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
import { revokeApiTokenAction, type CreatedApiToken } from "./actions";
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

export function ApiTokensView(props: { tokens: ApiTokenRow[]; renderedAt: number }) {
  return (
    <ToastProvider>
      <ApiTokens {...props} />
    </ToastProvider>
  );
}

function ApiTokens({ tokens, renderedAt }: { tokens: ApiTokenRow[]; renderedAt: number }) {
  const { toast } = useToast();
  const [createOpen, setCreateOpen] = useState(false);
  // Held only while the "copy your token" dialog is open; closing it drops the last copy in the browser.
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiTokenRow | null>(null);
  const [pending, startTransition] = useTransition();

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
    <section aria-labelledby="api-tokens-heading" className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="max-w-2xl">
          <h2 id="api-tokens-heading" className="text-base font-semibold">
            API tokens
          </h2>
          <p className="text-sm text-slate-600">
            Scripts and other systems call the REST API with <code className="rounded bg-slate-100 px-1 text-xs">Authorization: Bearer &lt;token&gt;</code>. A
            token acts with the role you give it until it expires or you revoke it.{" "}
            <Link href="/api-docs" className="font-medium text-blue-700 hover:underline">
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
                  Created
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
                <th scope="col" className="py-2 pl-3 pr-6">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {tokens.map((t) => (
                <TokenRow key={t.id} token={t} renderedAt={renderedAt} onRevoke={() => setRevoking(t)} />
              ))}
            </tbody>
          </table>
        </div>
      )}

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
  );
}

function TokenRow({ token: t, renderedAt, onRevoke }: { token: ApiTokenRow; renderedAt: number; onRevoke: () => void }) {
  const revoked = t.status === "REVOKED";
  const expiresSoon = t.status === "ACTIVE" && new Date(t.expiresAt).getTime() - renderedAt < EXPIRES_SOON_MS;
  const status = statusStyles[t.status];
  return (
    <tr className={cn("align-top", revoked && "bg-slate-50/60 text-slate-500")}>
      <td className="min-w-40 py-3 pl-6 pr-3">
        <div className={cn("break-words font-medium", revoked ? "text-slate-500 line-through decoration-slate-400" : "text-slate-900")}>{t.name}</div>
        <div className="font-mono text-xs text-slate-500" title="The first characters of the token, to recognise it">
          {t.prefix}…
        </div>
      </td>
      <td className="whitespace-nowrap px-3 py-3">{apiTokenRoleInfo[t.role].label}</td>
      <td className="px-3 py-3">
        <LocalTime value={t.createdAt} renderedAt={renderedAt} className="whitespace-nowrap" />
        <div className="max-w-44 truncate text-xs text-slate-500" title={t.createdBy}>
          by {t.createdBy}
        </div>
      </td>
      <td className="whitespace-nowrap px-3 py-3">
        <LocalTime value={t.expiresAt} renderedAt={renderedAt} className={expiresSoon ? "font-medium text-amber-700" : undefined} />
      </td>
      <td className="px-3 py-3">
        <LocalTime value={t.lastUsedAt} renderedAt={renderedAt} empty="Never" className={t.lastUsedAt ? "whitespace-nowrap" : "text-slate-500"} />
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

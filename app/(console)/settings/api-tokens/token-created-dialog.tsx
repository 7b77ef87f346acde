"use client";

import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { useTimeZone } from "@/components/ui/local-time";
import { useToast } from "@/components/ui/toast";
import { formatDateTime } from "@/lib/dates";
import { apiTokenRoleInfo } from "@/lib/validations/api-token";
import type { CreatedApiToken } from "./actions";

/**
 * Shows a new token the one time it exists outside the caller's own secret store. Closing the dialog drops
 * it from the page's state; the server keeps only its SHA-256.
 */
export function TokenCreatedDialog({ token, onClose }: { token: CreatedApiToken | null; onClose: () => void }) {
  const zone = useTimeZone();
  return (
    <Dialog
      open={token !== null}
      onClose={onClose}
      title="Copy your new API token"
      description={
        token ? (
          <>
            <span className="font-medium text-slate-800">{token.name}</span> · {apiTokenRoleInfo[token.role].label} · expires{" "}
            {formatDateTime(token.expiresAt, zone)}
          </>
        ) : undefined
      }
    >
      {token && <TokenReveal key={token.id} token={token} onClose={onClose} />}
    </Dialog>
  );
}

function TokenReveal({ token, onClose }: { token: CreatedApiToken; onClose: () => void }) {
  const { toast } = useToast();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);

  async function copy() {
    try {
      await navigator.clipboard.writeText(token.token);
    } catch {
      // No Clipboard API outside a secure context (plain http on another host): fall back to the selection.
      input.current?.select();
      if (!document.execCommand("copy")) {
        toast({ kind: "error", title: "Could not copy", description: "Select the token and copy it with Ctrl+C." });
        return;
      }
    }
    setCopied(true);
    toast({ kind: "success", title: "Token copied to the clipboard" });
  }

  return (
    <div className="space-y-4">
      <div role="note" className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
        <p className="font-semibold">This is the only time the token is shown.</p>
        <p className="mt-0.5">
          Copy it now into your password manager or the system that uses it. The console keeps only a fingerprint and cannot show it again; if it is lost,
          revoke it and create a new one.
        </p>
      </div>
      <div>
        <label htmlFor="new-api-token" className="block text-sm font-medium text-slate-800">
          API token
        </label>
        <div className="mt-1 flex gap-2">
          <input
            ref={input}
            id="new-api-token"
            readOnly
            value={token.token}
            onFocus={(e) => e.currentTarget.select()}
            spellCheck={false}
            autoComplete="off"
            className="block w-full min-w-0 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm text-slate-900 shadow-sm focus:border-blue-600 focus:ring-1 focus:ring-blue-600"
          />
          <Button variant={copied ? "secondary" : "primary"} onClick={copy} autoFocus>
            {copied ? "Copied" : "Copy"}
          </Button>
        </div>
      </div>
      <div className="text-xs text-slate-600">
        <p>Send it in the Authorization header of every request:</p>
        <pre className="mt-1 overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-[11px] leading-relaxed text-slate-100">
          curl -H &quot;Authorization: Bearer $TAC_TOKEN&quot; {typeof window === "undefined" ? "" : window.location.origin}/api/v1/tenants
        </pre>
      </div>
      <div className="flex justify-end">
        <Button variant={copied ? "primary" : "secondary"} onClick={onClose}>
          {copied ? "Done" : "I have stored it, close"}
        </Button>
      </div>
    </div>
  );
}

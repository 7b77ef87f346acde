"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { settleAction } from "@/lib/settle-action";
import { removeStandbyCertificateAction, stageCertificateAction, startSecretRotationAction, switchCertificateAction } from "./actions";

export type CertificateOverlapProps = {
  id: string;
  version: number;
  current: { thumbprint: string | null; expires: string };
  standby: { thumbprint: string; expires: string; retired: string | null } | null;
  canEdit: boolean;
};

/**
 * Certificate overlap: a new certificate uploaded beside the one in use, switched to when Entra knows it;
 * the old one stays on standby until removed.
 */
export function CertificateOverlap({ id, version, current, standby, canEdit }: CertificateOverlapProps) {
  const router = useRouter();
  const [state, upload, uploading] = useActionState(stageCertificateAction, null);
  const [pending, setPending] = useState<"switch" | "rotate" | "remove" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    if (state?.ok) router.refresh();
  }, [state, router]);

  async function run(which: "switch" | "rotate" | "remove") {
    setPending(which);
    setError(null);
    setDone(null);
    try {
      const call: Promise<{ ok: boolean; error?: string }> =
        which === "switch"
          ? switchCertificateAction({ id, version })
          : which === "rotate"
            ? startSecretRotationAction({ id, mode: "certificate" })
            : removeStandbyCertificateAction({ id, version });
      const result = await settleAction(call);
      if (!result.ok) {
        setError(result.error ?? "Something went wrong.");
        return;
      }
      setDone(
        which === "switch"
          ? "Switched: every tenant uses the new certificate from now on."
          : which === "rotate"
            ? "Rotation started: the new certificate is checked with Microsoft and on a canary of tenants before the switch (see Secret rotation below)."
            : "Standby certificate removed.",
      );
      router.refresh();
    } finally {
      setPending(null);
    }
  }

  const uploadError = state && !state.ok ? (state.fieldErrors?.certificateFile?.[0] ?? state.error) : null;
  return (
    <section aria-labelledby={`certificates-${id}`} className="card space-y-3">
      <div>
        <h2 id={`certificates-${id}`} className="text-base font-semibold">
          Certificate rollover
        </h2>
        <p className="text-sm text-slate-600">
          Upload the next certificate before the one in use expires: both are kept, the one in use signs until you switch. Upload its public key (.cer) to the
          app registration in the Entra admin center first; the switch checks that Microsoft accepts it and changes nothing otherwise.
        </p>
      </div>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="font-medium text-slate-700">In use</dt>
        <dd>
          <code className="break-all">{current.thumbprint}</code>, {current.expires}
        </dd>
        <dt className="font-medium text-slate-700">Standby</dt>
        <dd>
          {standby ? (
            <>
              <code className="break-all">{standby.thumbprint}</code>, {standby.expires} ·{" "}
              {standby.retired ? `replaced ${standby.retired}; no longer used` : "new, not used until you switch"}
            </>
          ) : (
            "none"
          )}
        </dd>
      </dl>
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      {done && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
          {done}
        </p>
      )}
      {canEdit && (
        <div className="flex flex-wrap items-end gap-3">
          {standby && !standby.retired && (
            <Button variant="primary" onClick={() => run("switch")} pending={pending === "switch"}>
              Switch to the new certificate
            </Button>
          )}
          {standby && !standby.retired && (
            <Button onClick={() => run("rotate")} pending={pending === "rotate"}>
              Rotate to it with a canary
            </Button>
          )}
          {standby && (
            <Button onClick={() => run("remove")} pending={pending === "remove"}>
              {standby.retired ? "Remove the old certificate" : "Discard the new certificate"}
            </Button>
          )}
        </div>
      )}
      {canEdit && (
        <form action={upload} className="flex flex-wrap items-end gap-3 border-t border-slate-100 pt-3 text-sm">
          <input type="hidden" name="id" value={id} />
          <input type="hidden" name="version" value={version} />
          <label className="block">
            <span className="mb-1 block text-xs font-medium text-slate-700">New certificate (.pfx, or PEM with the private key)</span>
            <input
              type="file"
              name="certificateFile"
              accept=".pfx,.p12,.pem"
              aria-invalid={uploadError ? true : undefined}
              aria-describedby={uploadError ? `standby-error-${id}` : undefined}
            />
          </label>
          <label className="block">
            <span className="mb-1 block text-xs font-medium text-slate-700">PFX password</span>
            <input type="password" name="certificatePassword" autoComplete="off" className="rounded-md border px-2 py-1" />
          </label>
          <Button type="submit" pending={uploading}>
            Upload as standby
          </Button>
          {uploadError && (
            <p id={`standby-error-${id}`} role="alert" className="w-full text-sm text-red-800">
              {uploadError}
            </p>
          )}
        </form>
      )}
    </section>
  );
}

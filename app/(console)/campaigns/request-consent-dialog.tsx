"use client";

import Link from "next/link";
import { useEffect, useId, useState } from "react";
import { FormField, inputClass } from "@/components/form-field";
import { Button, buttonClass } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { settleAction } from "@/lib/settle-action";
import { csvLine } from "@/lib/tenants/csv";
import type { FieldErrors } from "@/lib/errors";
import { campaignOptionsAction, createCampaignAction } from "./actions";

/** Which tenants a campaign invites: the table's selection, every tenant with a tag, or a root-cause group. */
export type CampaignSource =
  | { tenantIds: string[] }
  | { tagId: string }
  | { failureGroup: { reasonCode: string; method: "PASSWORD" | "AUTH_TOKEN" | "APP_REGISTRATION"; cloud: string; app: string } };

type Link_ = { customerId: string; adminEmail: string; url: string; expiresAt: string };
type Options = { channels: { id: string; name: string; kind: string }[]; maxLinkDays: number };
type Created = {
  id: string;
  name: string;
  delivery: "email" | "export";
  invitations: number;
  links: Link_[] | null;
  refused: { customerId: string; error: string }[];
};

function linksCsv(links: Link_[]) {
  return (
    csvLine(["customer_id", "admin_email", "consent_link", "expires_at"]) + links.map((l) => csvLine([l.customerId, l.adminEmail, l.url, l.expiresAt])).join("")
  );
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  a.click();
  URL.revokeObjectURL(url);
}

/**
 * "Request consent": a campaign over the chosen tenants, its invitations emailed through an email channel
 * or exported. Exported links are shown once (only their hashes and an encrypted copy for reminders are
 * kept), with Copy all and Download CSV.
 */
export function RequestConsentDialog({ open, onClose, source, scope }: { open: boolean; onClose: () => void; source: CampaignSource; scope: string }) {
  const [options, setOptions] = useState<Options | null>(null);
  const [delivery, setDelivery] = useState<"email" | "export">("email");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<Created | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const statusId = useId();

  useEffect(() => {
    if (!open) return;
    let live = true;
    settleAction(campaignOptionsAction({})).then((r) => {
      if (!live) return;
      if (r.ok) {
        setOptions(r.data);
        if (r.data.channels.length === 0) setDelivery("export");
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [open]);

  const close = () => {
    setCreated(null);
    setError(null);
    setFieldErrors({});
    setCopied(null);
    onClose();
  };

  async function submit(form: FormData) {
    setPending(true);
    setError(null);
    setFieldErrors({});
    const days = String(form.get("reminderDays") ?? "")
      .split(/[\s,;]+/)
      .filter(Boolean)
      .map(Number);
    const input = {
      ...source,
      name: String(form.get("name") ?? ""),
      delivery,
      ...(delivery === "email" ? { channelId: String(form.get("channelId") ?? "") || undefined, reminderDays: days } : {}),
      linkDays: Number(form.get("linkDays")),
    };
    try {
      const result = await settleAction(createCampaignAction(input as Parameters<typeof createCampaignAction>[0]));
      if (result.ok) setCreated(result.data as Created);
      else {
        setError(result.error);
        setFieldErrors(result.fieldErrors ?? {});
      }
    } finally {
      setPending(false);
    }
  }

  const err = (k: string) => fieldErrors[k]?.[0];
  const today = new Date().toISOString().slice(0, 10);

  return (
    <Dialog
      open={open}
      onClose={close}
      title={created ? `Campaign "${created.name}" created` : "Request consent"}
      description={created ? undefined : scope}
      className={created?.links ? "w-[min(64rem,calc(100vw-2rem))]" : undefined}
    >
      <p id={statusId} role="status" aria-live="polite" className="sr-only">
        {created ? `${created.invitations} invitations created.` : ""}
        {copied ?? ""}
      </p>
      {created ? (
        <div className="space-y-3">
          {created.refused.length > 0 && (
            <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
              {created.refused.length} {created.refused.length === 1 ? "tenant was" : "tenants were"} left out: {created.refused[0]!.customerId}:{" "}
              {created.refused[0]!.error}
              {created.refused.length > 1 ? ` (and ${created.refused.length - 1} more)` : ""}
            </p>
          )}
          {created.links ? (
            <>
              <p className="text-sm text-slate-700">
                {created.links.length} consent {created.links.length === 1 ? "link" : "links"} created. They are shown this once: copy them or download the CSV
                now, then send each administrator their link.
              </p>
              <div className="flex flex-wrap gap-2">
                <Button
                  size="sm"
                  variant="primary"
                  onClick={async () => {
                    await navigator.clipboard.writeText(created.links!.map((l) => `${l.customerId}\t${l.adminEmail}\t${l.url}`).join("\n"));
                    setCopied(`${created.links!.length} links copied to the clipboard.`);
                  }}
                >
                  Copy all
                </Button>
                <Button size="sm" onClick={() => download(`consent-links-${created.id.slice(-8)}.csv`, linksCsv(created.links!))}>
                  Download CSV
                </Button>
                {copied && <span className="self-center text-sm text-emerald-700">{copied}</span>}
              </div>
              <div className="max-h-64 overflow-auto rounded-md border border-slate-200">
                <table className="dt min-w-full text-xs">
                  <caption className="sr-only">Consent links</caption>
                  <thead className="bg-slate-50 text-left">
                    <tr>
                      <th scope="col" className="pl-3">
                        Customer
                      </th>
                      <th scope="col">Admin email</th>
                      <th scope="col" className="pr-3">
                        Link
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {created.links.map((l) => (
                      <tr key={l.url}>
                        <td className="pl-3">{l.customerId}</td>
                        <td>{l.adminEmail}</td>
                        <td className="pr-3">
                          <input
                            readOnly
                            value={l.url}
                            aria-label={`Consent link of ${l.customerId}`}
                            className="w-full min-w-[28rem] font-mono text-xs"
                            onFocus={(e) => e.target.select()}
                          />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : (
            <p className="text-sm text-slate-700">
              {created.invitations} {created.invitations === 1 ? "invitation is" : "invitations are"} queued and go out by email within a minute. Reminders
              follow until each customer consents or the link expires.
            </p>
          )}
          <div className="flex justify-end gap-2">
            <Link href={`/campaigns/${created.id}`} className={buttonClass("secondary")}>
              Open the campaign
            </Link>
            <Button variant="primary" onClick={close} autoFocus={!created.links}>
              Done
            </Button>
          </div>
        </div>
      ) : (
        <form action={submit} noValidate className="space-y-4">
          {error && (
            <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
              {error}
            </p>
          )}
          <FormField id="campaign-name" label="Campaign name" error={err("name")}>
            {(a) => <input {...a} name="name" defaultValue={`Consent request ${today}`} className={inputClass} autoComplete="off" required />}
          </FormField>
          <fieldset>
            <legend className="block text-sm font-medium text-slate-800">Delivery</legend>
            <div className="mt-1 space-y-1 text-sm">
              <label className="flex items-center gap-2">
                <input
                  type="radio"
                  name="delivery"
                  value="email"
                  checked={delivery === "email"}
                  onChange={() => setDelivery("email")}
                  disabled={!options?.channels.length}
                />
                Email each tenant&apos;s M365 admin{options && !options.channels.length ? " (add an SMTP or Graph mail channel first)" : ""}
              </label>
              <label className="flex items-center gap-2">
                <input type="radio" name="delivery" value="export" checked={delivery === "export"} onChange={() => setDelivery("export")} />
                Export the links (CSV, clipboard) for my own mail merge
              </label>
            </div>
          </fieldset>
          {delivery === "email" && (
            <>
              <FormField id="campaign-channel" label="Email channel" error={err("channelId")} hint="Only SMTP and Graph mail channels can send invitations.">
                {(a) => (
                  <select {...a} name="channelId" className={inputClass} defaultValue={options?.channels[0]?.id ?? ""}>
                    {(options?.channels ?? []).map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.name} ({c.kind === "SMTP" ? "SMTP" : "Graph mail"})
                      </option>
                    ))}
                  </select>
                )}
              </FormField>
              <FormField
                id="campaign-reminders"
                label="Reminder days"
                error={err("reminderDays")}
                hint="Days after sending, ascending, each 1 to 30 (e.g. 2, 5). Empty: no reminders."
              >
                {(a) => <input {...a} name="reminderDays" defaultValue="2, 5" className={inputClass} autoComplete="off" />}
              </FormField>
            </>
          )}
          <FormField
            id="campaign-link-days"
            label="Link validity (days)"
            error={err("linkDays")}
            hint={options ? `1 to ${options.maxLinkDays} days.` : undefined}
          >
            {(a) => (
              <input
                {...a}
                type="number"
                name="linkDays"
                min={1}
                max={options?.maxLinkDays}
                defaultValue={options?.maxLinkDays ?? 7}
                key={options?.maxLinkDays}
                className={inputClass}
              />
            )}
          </FormField>
          {err("tenantIds") && <p className="text-sm text-red-700">{err("tenantIds")}</p>}
          <div className="flex justify-end gap-2">
            <Button type="button" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" pending={pending}>
              {delivery === "email" ? "Send invitations" : "Create links"}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

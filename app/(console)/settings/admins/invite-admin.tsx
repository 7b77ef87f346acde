"use client";

import { useState, useTransition } from "react";
import Link from "next/link";
import { useDateFormatter } from "@/components/ui/local-time";
import { settleAction } from "@/lib/settle-action";
import { inviteAdminAction, revokeAdminInvitationAction } from "./actions";
import { AdminIdentityFields } from "./admin-fields";

export type InvitationRow = {
  id: string;
  email: string;
  role: "ADMINISTRATOR" | "OPERATOR" | "VIEWER";
  state: "pending" | "accepted" | "expired" | "revoked";
  expiresAt: string;
};

const roleLabel = (role: InvitationRow["role"]) => role.charAt(0) + role.slice(1).toLowerCase();
const stateLabel: Record<InvitationRow["state"], string> = { pending: "Pending", accepted: "Accepted", expired: "Expired", revoked: "Revoked" };

/** Settings → Admins: invite by email (once an email channel exists) and the invitations sent. */
export function InviteAdmin({ channels, invitations, hours }: { channels: { id: string; name: string }[]; invitations: InvitationRow[]; hours: number }) {
  const formatDate = useDateFormatter();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[] | undefined>>({});

  function invite(form: HTMLFormElement) {
    const data = new FormData(form);
    const input = {
      email: String(data.get("email") ?? ""),
      name: String(data.get("name") ?? ""),
      role: String(data.get("role") ?? "VIEWER") as InvitationRow["role"],
      channelId: String(data.get("channelId") ?? ""),
    };
    startTransition(async () => {
      const result = await settleAction(inviteAdminAction(input));
      if (result.ok) {
        form.reset();
        setFieldErrors({});
        setMessage({ ok: true, text: `Invitation sent to ${result.data.email} through ${result.data.channel}. The link works once, for ${hours} hours.` });
      } else {
        setFieldErrors(result.fieldErrors ?? {});
        setMessage({ ok: false, text: result.error });
      }
    });
  }

  function revoke(row: InvitationRow) {
    startTransition(async () => {
      const result = await settleAction(revokeAdminInvitationAction({ invitationId: row.id }));
      setMessage(result.ok ? { ok: true, text: `Invitation of ${row.email} revoked.` } : { ok: false, text: result.error });
    });
  }

  return (
    <section aria-labelledby="invite-admin-heading" className="space-y-3 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div>
        <h2 id="invite-admin-heading" className="text-base font-semibold">
          Invite by email
        </h2>
        <p className="text-sm text-slate-600">
          The person receives a link that works once, for {hours} hours, and chooses their own password. Nobody else sees a password.
        </p>
      </div>
      {channels.length === 0 ? (
        <p className="rounded-md border border-dashed border-slate-300 p-3 text-sm text-slate-600">
          Invitations need an email channel (SMTP or Graph mail).{" "}
          <Link href="/settings/channels/new" className="text-blue-700 underline">
            Add one in Settings → Channels
          </Link>
          .
        </p>
      ) : (
        <form
          aria-label="Invite an admin"
          className="flex flex-wrap items-end gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            invite(e.currentTarget);
          }}
        >
          <AdminIdentityFields idPrefix="invite" emailError={fieldErrors.email?.[0]} />
          <label className="flex flex-col text-sm">
            Send through
            <select
              name="channelId"
              className="rounded-md border border-slate-300 px-2 py-1.5"
              aria-invalid={Boolean(fieldErrors.channelId)}
              aria-describedby={fieldErrors.channelId ? "invite-channel-error" : undefined}
            >
              {channels.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            {fieldErrors.channelId && (
              <span id="invite-channel-error" className="text-xs text-red-700">
                {fieldErrors.channelId[0]}
              </span>
            )}
          </label>
          <button type="submit" disabled={pending} className="btn btn-primary btn-md">
            Send invitation
          </button>
        </form>
      )}
      <div aria-live="polite">
        {message && (
          <p
            role={message.ok ? "status" : "alert"}
            className={`rounded-md border px-3 py-2 text-sm ${message.ok ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-800"}`}
          >
            {message.text}
          </p>
        )}
      </div>
      {invitations.length > 0 && (
        <table className="min-w-full text-sm">
          <caption className="sr-only">Invitations</caption>
          <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="py-2 pr-4">
                Email
              </th>
              <th scope="col" className="py-2 pr-4">
                Role
              </th>
              <th scope="col" className="py-2 pr-4">
                State
              </th>
              <th scope="col" className="py-2 pr-4">
                Link expires
              </th>
              <th scope="col" className="py-2">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {invitations.map((i) => (
              <tr key={i.id}>
                <td className="py-2 pr-4">{i.email}</td>
                <td className="py-2 pr-4">{roleLabel(i.role)}</td>
                <td className="py-2 pr-4">{stateLabel[i.state]}</td>
                <td className="py-2 pr-4">{formatDate(i.expiresAt)}</td>
                <td className="py-2 text-right">
                  {i.state === "pending" && (
                    <button
                      type="button"
                      disabled={pending}
                      onClick={() => revoke(i)}
                      className="btn btn-ghost btn-sm text-red-700"
                      aria-label={`Revoke the invitation of ${i.email}`}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

"use client";

import { useState, useTransition } from "react";
import { revokeSessionsAction, setLocalRoleAction } from "./actions";
import { settleAction } from "@/lib/settle-action";

export type AdminRow = {
  id: string;
  email: string;
  name: string | null;
  role: "ADMINISTRATOR" | "OPERATOR" | "VIEWER";
  disabled: boolean;
  source: "local" | "entra";
  lastSignInAt: string | null;
};

export function AdminsTable({ admins, selfId, canManage }: { admins: AdminRow[]; selfId: string; canManage: boolean }) {
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  function run(action: () => Promise<{ ok: boolean; error?: string }>, success: string) {
    startTransition(async () => {
      const result = await settleAction(action());
      setMessage(result.ok ? { ok: true, text: success } : { ok: false, text: result.error ?? "Failed." });
    });
  }

  return (
    <section aria-labelledby="admins-heading" className="space-y-3 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div>
        <h2 id="admins-heading" className="text-base font-semibold">
          Admins
        </h2>
        <p className="text-sm text-slate-600">Local admins get a role here; admins who sign in with Microsoft get theirs from Entra group mappings.</p>
      </div>
      <div aria-live="polite">
        {message && (
          <p
            role={message.ok ? "status" : "alert"}
            className={`rounded-md px-3 py-2 text-sm ${message.ok ? "bg-emerald-50 text-emerald-900" : "bg-red-50 text-red-800"}`}
          >
            {message.text}
          </p>
        )}
      </div>
      <table className="w-full text-left text-sm">
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <th className="py-2">Admin</th>
            <th>Sign-in</th>
            <th>Role</th>
            <th>Last sign-in</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {admins.map((a) => (
            <tr key={a.id}>
              <td className="py-2">
                <div className="font-medium">{a.email}</div>
                {a.name && <div className="text-xs text-slate-500">{a.name}</div>}
              </td>
              <td>{a.source === "entra" ? "Microsoft" : "Local"}</td>
              <td>
                {canManage && a.source === "local" && a.id !== selfId ? (
                  <select
                    aria-label={`Role of ${a.email}`}
                    defaultValue={a.role}
                    disabled={pending}
                    onChange={(e) => {
                      const role = e.target.value as AdminRow["role"];
                      run(() => setLocalRoleAction({ adminId: a.id, role }), `Role of ${a.email} changed.`);
                    }}
                    className="rounded-md border border-slate-300 px-2 py-1 text-sm"
                  >
                    <option value="ADMINISTRATOR">Administrator</option>
                    <option value="OPERATOR">Operator</option>
                    <option value="VIEWER">Viewer</option>
                  </select>
                ) : (
                  a.role.charAt(0) + a.role.slice(1).toLowerCase()
                )}
              </td>
              <td>{a.lastSignInAt ? new Date(a.lastSignInAt).toLocaleString() : "never"}</td>
              <td className="text-right">
                {canManage && (
                  <button
                    type="button"
                    disabled={pending}
                    onClick={() => run(() => revokeSessionsAction({ adminId: a.id }), `Sessions of ${a.email} revoked.`)}
                    className="rounded-md border border-slate-300 px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50"
                  >
                    Revoke sessions<span className="sr-only"> of {a.email}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

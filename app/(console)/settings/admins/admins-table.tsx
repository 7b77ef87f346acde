"use client";

import { useState, useTransition } from "react";
import { createAdminAction, resetPasswordAction, revokeSessionsAction, updateAdminAction } from "./actions";
import { useDateFormatter } from "@/components/ui/local-time";
import { settleAction } from "@/lib/settle-action";
import { AdminIdentityFields } from "./admin-fields";

export type AdminRow = {
  id: string;
  email: string;
  name: string | null;
  role: "ADMINISTRATOR" | "OPERATOR" | "VIEWER";
  disabled: boolean;
  source: "local" | "entra";
  lastSignInAt: string | null;
};

type Message = { ok: boolean; text: string };
/** The one-time password of the last create or reset: held in this component's state only, gone on reload. */
type Secret = { email: string; password: string };

const roleLabel = (role: AdminRow["role"]) => role.charAt(0) + role.slice(1).toLowerCase();

export function AdminsTable({ admins, selfId, canManage }: { admins: AdminRow[]; selfId: string; canManage: boolean }) {
  const [pending, startTransition] = useTransition();
  const formatDate = useDateFormatter();
  const [message, setMessage] = useState<Message | null>(null);
  const [secret, setSecret] = useState<Secret | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[] | undefined>>({});

  function run<T>(
    action: () => Promise<{ ok: true; data: T } | { ok: false; error: string; fieldErrors?: Record<string, string[] | undefined> }>,
    success: (data: T) => string,
    onData?: (data: T) => void,
    onFail?: () => void,
  ) {
    setSecret(null);
    startTransition(async () => {
      const result = await settleAction(action());
      if (result.ok) {
        setFieldErrors({});
        onData?.(result.data);
        setMessage({ ok: true, text: success(result.data) });
      } else {
        setFieldErrors(result.fieldErrors ?? {});
        onFail?.();
        setMessage({ ok: false, text: result.error });
      }
    });
  }

  function add(form: HTMLFormElement) {
    const data = new FormData(form);
    const input = {
      email: String(data.get("email") ?? ""),
      name: String(data.get("name") ?? ""),
      role: String(data.get("role") ?? "VIEWER") as AdminRow["role"],
    };
    run(
      () => createAdminAction(input),
      (a) => `${a.email} added as ${roleLabel(a.role)}.`,
      (a) => {
        form.reset();
        setSecret({ email: a.email, password: a.oneTimePassword });
      },
    );
  }

  return (
    <div className="space-y-4">
      {canManage && (
        <section aria-labelledby="add-admin-heading" className="space-y-3 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <div>
            <h2 id="add-admin-heading" className="text-base font-semibold">
              Add an admin
            </h2>
            <p className="text-sm text-slate-600">
              They sign in with their email and a one-time password shown here once; hand it over on a channel you trust. At that first sign-in they must choose
              their own password. Reset password sets a new one-time password (to be changed the same way) and ends their sessions.
            </p>
          </div>
          <form
            className="flex flex-wrap items-end gap-3"
            onSubmit={(e) => {
              e.preventDefault();
              add(e.currentTarget);
            }}
          >
            <AdminIdentityFields idPrefix="add-admin" emailError={fieldErrors.email?.[0]} />
            <button type="submit" disabled={pending} className="btn btn-primary btn-md">
              Add admin
            </button>
          </form>
        </section>
      )}

      <div aria-live="polite" className="space-y-2">
        {message && (
          <p
            role={message.ok ? "status" : "alert"}
            className={`rounded-md px-3 py-2 text-sm ${message.ok ? "bg-emerald-50 text-emerald-900" : "bg-red-50 text-red-800"}`}
          >
            {message.text}
          </p>
        )}
        {secret && (
          <div className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            <p>
              One-time password for {secret.email} (shown once; it is not stored in clear and cannot be shown again):{" "}
              <code data-testid="one-time-password" className="select-all rounded bg-white px-1.5 py-0.5 font-mono">
                {secret.password}
              </code>
            </p>
          </div>
        )}
      </div>

      <section aria-labelledby="admins-heading" className="space-y-3 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <div>
          <h2 id="admins-heading" className="text-base font-semibold">
            Admins
          </h2>
          <p className="text-sm text-slate-600">
            Local admins get a role here; admins who sign in with Microsoft get theirs from Entra group mappings. The console keeps at least one enabled
            Administrator.
          </p>
        </div>
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <th className="py-2">Admin</th>
                <th>Sign-in</th>
                <th>Role</th>
                <th>Status</th>
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
                    <div className="font-medium">
                      {a.email}
                      {a.id === selfId && <span className="ml-1 text-xs font-normal text-slate-500">(you)</span>}
                    </div>
                    {a.name && <div className="text-xs text-slate-500">{a.name}</div>}
                  </td>
                  <td>{a.source === "entra" ? "Microsoft" : "Local"}</td>
                  <td>
                    {canManage && a.source === "local" ? (
                      <select
                        key={`${a.id}-${a.role}`}
                        aria-label={`Role of ${a.email}`}
                        defaultValue={a.role}
                        disabled={pending}
                        onChange={(e) => {
                          const role = e.target.value as AdminRow["role"];
                          const select = e.target;
                          run(
                            () => updateAdminAction({ adminId: a.id, role }),
                            () => `Role of ${a.email} changed to ${roleLabel(role)}.`,
                            undefined,
                            // A refusal changes nothing: the select shows the stored role again.
                            () => (select.value = a.role),
                          );
                        }}
                        className="rounded-md border border-slate-300 px-2 py-1 text-sm"
                      >
                        <option value="ADMINISTRATOR">Administrator</option>
                        <option value="OPERATOR">Operator</option>
                        <option value="VIEWER">Viewer</option>
                      </select>
                    ) : (
                      roleLabel(a.role)
                    )}
                  </td>
                  <td>
                    {a.disabled ? (
                      <span className="badge bg-slate-100 text-slate-700">Disabled</span>
                    ) : (
                      <span className="badge bg-emerald-50 text-emerald-800">Enabled</span>
                    )}
                  </td>
                  <td>{a.lastSignInAt ? formatDate(a.lastSignInAt) : "never"}</td>
                  <td className="py-2 text-right">
                    {canManage && (
                      <div className="flex flex-wrap justify-end gap-1.5">
                        {a.id !== selfId && (
                          <button
                            type="button"
                            disabled={pending}
                            onClick={() =>
                              run(
                                () => updateAdminAction({ adminId: a.id, disabled: !a.disabled }),
                                () => `${a.email} ${a.disabled ? "enabled" : "disabled"}.`,
                              )
                            }
                            className="btn btn-secondary btn-sm"
                          >
                            {a.disabled ? "Enable" : "Disable"}
                            <span className="sr-only"> {a.email}</span>
                          </button>
                        )}
                        {a.source === "local" && (
                          <button
                            type="button"
                            disabled={pending}
                            onClick={() =>
                              run(
                                () => resetPasswordAction({ adminId: a.id }),
                                (r) => `Password of ${r.email} reset; ${r.sessionsEnded} session(s) ended.`,
                                (r) => setSecret({ email: r.email, password: r.oneTimePassword }),
                              )
                            }
                            className="btn btn-secondary btn-sm"
                          >
                            Reset password<span className="sr-only"> of {a.email}</span>
                          </button>
                        )}
                        <button
                          type="button"
                          disabled={pending}
                          onClick={() =>
                            run(
                              () => revokeSessionsAction({ adminId: a.id }),
                              () => `Sessions of ${a.email} revoked.`,
                            )
                          }
                          className="btn btn-secondary btn-sm"
                        >
                          Revoke sessions<span className="sr-only"> of {a.email}</span>
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

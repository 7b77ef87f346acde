/** The email, name and role of a new admin: the same fields whether they are added with a one-time password or invited. */
export function AdminIdentityFields({ idPrefix, emailError }: { idPrefix: string; emailError?: string }) {
  return (
    <>
      <label className="flex flex-col text-sm">
        Email
        <input
          name="email"
          type="email"
          required
          autoComplete="off"
          className="rounded-md border border-slate-300 px-2 py-1.5"
          aria-invalid={Boolean(emailError)}
          aria-describedby={emailError ? `${idPrefix}-email-error` : undefined}
        />
        {emailError && (
          <span id={`${idPrefix}-email-error`} className="text-xs text-red-700">
            {emailError}
          </span>
        )}
      </label>
      <label className="flex flex-col text-sm">
        Name
        <input name="name" autoComplete="off" className="rounded-md border border-slate-300 px-2 py-1.5" />
      </label>
      <div className="flex flex-col text-sm">
        <label htmlFor={`${idPrefix}-role`}>Role</label>
        <select id={`${idPrefix}-role`} name="role" defaultValue="OPERATOR" className="rounded-md border border-slate-300 px-2 py-1.5">
          <option value="ADMINISTRATOR">Administrator</option>
          <option value="OPERATOR">Operator</option>
          <option value="VIEWER">Viewer</option>
        </select>
      </div>
    </>
  );
}

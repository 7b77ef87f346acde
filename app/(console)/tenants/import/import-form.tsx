"use client";

import Link from "next/link";
import { useActionState, useEffect, useId, useRef, useState, useTransition } from "react";
import { Button, buttonClass } from "@/components/ui/button";
import { ACTION_UNANSWERED } from "@/lib/settle-action";
import { IMPORT_TOO_LARGE, MAX_IMPORT_BYTES } from "@/lib/tenants/csv";
import { previewImportAction, type ImportState } from "../actions";

const PREVIEW_LIMIT = 500;

/** Choose a file → check it (preview, nothing written) → import all rows at once, or fix the file and check again. */
export function ImportForm() {
  const [state, dispatch, pending] = useActionState<ImportState, FormData>(
    (prev, data) => previewImportAction(prev, data).catch((): ImportState => ({ stage: "error", error: ACTION_UNANSWERED })),
    { stage: "idle" },
  );
  const [file, setFile] = useState<File | null>(null);
  // Checked here before uploading (the server checks again): a file over the limit is never sent.
  const tooLarge = file !== null && file.size > MAX_IMPORT_BYTES;
  const [, startTransition] = useTransition();
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  // A file chosen before the page finished loading its script fired no change event React could see.
  useEffect(() => setFile((current) => current ?? input.current?.files?.[0] ?? null), []);
  const submit = (intent: "preview" | "import") => {
    if (!file || tooLarge) return;
    const fd = new FormData();
    fd.set("file", file);
    fd.set("intent", intent);
    startTransition(() => dispatch(fd));
  };
  const preview = state.stage === "preview" ? state.preview : state.stage === "error" ? state.preview : undefined;
  const rows = preview?.rows ?? [];
  const shown = rows.slice(0, PREVIEW_LIMIT);

  if (state.stage === "done") {
    return (
      <div role="status" className="rounded-xl border border-emerald-300 bg-emerald-50 p-5">
        <h2 className="font-semibold text-emerald-900">Imported {state.imported.toLocaleString("en-US")} tenants</h2>
        <p className="mt-1 text-sm text-emerald-900">They are listed as Not verified. Run Verify All to check their access.</p>
        <Link href="/tenants?status=NEVER" className={`${buttonClass("primary")} mt-3`}>
          Go to the tenants
        </Link>
      </div>
    );
  }

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <div>
          <label htmlFor={inputId} className="block text-sm font-medium">
            CSV file
          </label>
          <input
            id={inputId}
            ref={input}
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            className="mt-1 block text-sm file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium"
          />
        </div>
        <Button variant="primary" onClick={() => submit("preview")} disabled={!file || tooLarge} pending={pending}>
          Check file
        </Button>
      </div>

      {tooLarge ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          {IMPORT_TOO_LARGE}
        </p>
      ) : (
        state.stage === "error" && (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            {state.error}
          </p>
        )
      )}

      {preview && (
        <section aria-labelledby="preview-heading" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
          <div className="flex flex-wrap items-center justify-between gap-3">
            <div>
              <h2 id="preview-heading" className="font-semibold">
                Preview{state.stage === "preview" ? ` of ${state.fileName}` : ""}
              </h2>
              <p className="text-sm text-slate-600" role="status">
                {(preview.valid + preview.invalid).toLocaleString("en-US")} rows:{" "}
                <span className="font-medium text-emerald-700">{preview.valid.toLocaleString("en-US")} ready</span>,{" "}
                <span className={preview.invalid ? "font-medium text-red-700" : ""}>{preview.invalid.toLocaleString("en-US")} with errors</span>. Nothing has
                been written yet.
              </p>
              {preview.newTags.length > 0 && (
                <p className="text-sm text-slate-600">
                  New tags the import creates: <span className="font-medium text-slate-800">{preview.newTags.join(", ")}</span>.
                </p>
              )}
            </div>
            {preview.invalid === 0 ? (
              <Button variant="primary" onClick={() => submit("import")} pending={pending}>
                Import {preview.valid.toLocaleString("en-US")} tenants
              </Button>
            ) : (
              <p className="text-sm text-slate-700">Fix the rows with errors in the file, choose it again and check it.</p>
            )}
          </div>
          <div className="mt-4 max-h-[32rem] overflow-auto rounded-md border border-slate-200">
            <table className="min-w-full text-sm">
              <caption className="sr-only">Rows of the file</caption>
              <thead className="sticky top-0 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2">
                    Line
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Customer id
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Result
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {shown.map((r) => (
                  <tr key={r.line} className={r.ok ? undefined : "bg-red-50/50"}>
                    <td className="px-3 py-1.5 tabular-nums text-slate-600">{r.line}</td>
                    <td className="px-3 py-1.5 font-medium">{r.ok ? r.input.customerId : (r.customerId ?? "—")}</td>
                    <td className="px-3 py-1.5">
                      {r.ok ? (
                        <span className="text-emerald-700">
                          Ready: {r.input.displayName} · {r.input.tenantRef} · {r.input.authMethod}
                          {r.registration ? ` · app registration ${r.registration.name}` : ""}
                        </span>
                      ) : (
                        <ul className="text-red-800">
                          {r.errors.map((e) => (
                            <li key={e}>{e}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {(preview?.rows.length ?? 0) < (preview ? preview.valid + preview.invalid : 0) && (
            <p className="mt-2 text-xs text-slate-500">Showing the first {PREVIEW_LIMIT} rows (rows with errors first).</p>
          )}
        </section>
      )}
    </div>
  );
}

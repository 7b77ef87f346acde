"use client";

import Link from "next/link";
import { useId, useState } from "react";
import { TagChip } from "@/components/tag-chip";
import { inputClass } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Dialog } from "@/components/ui/dialog";
import { ToastProvider, useToast } from "@/components/ui/toast";
import type { TagWithCount } from "@/lib/data/tags";
import { settleAction } from "@/lib/settle-action";
import { DEFAULT_TAG_COLOR, tagColors, tagPalette, type TagColor } from "@/lib/tags/palette";
import { TAG_NAME_MAX } from "@/lib/tags/validation";
import { createTagAction, deleteTagAction, updateTagAction } from "./actions";

export function TagsView(props: { tags: TagWithCount[]; canEdit: boolean }) {
  return (
    <ToastProvider>
      <Tags {...props} />
    </ToastProvider>
  );
}

const tenantsText = (n: number) => `${n.toLocaleString("en-US")} tenant${n === 1 ? "" : "s"}`;

function Tags({ tags, canEdit }: { tags: TagWithCount[]; canEdit: boolean }) {
  const { toast } = useToast();
  const [editing, setEditing] = useState<TagWithCount | null>(null);
  const [deleting, setDeleting] = useState<TagWithCount | null>(null);
  const [busy, setBusy] = useState(false);

  const remove = async () => {
    const tag = deleting;
    if (!tag) return;
    setBusy(true);
    try {
      const result = await settleAction(deleteTagAction({ id: tag.id }));
      setDeleting(null);
      if (result.ok) toast({ kind: "success", title: `Tag “${tag.name}” deleted`, description: `Removed from ${tenantsText(result.data.tenants)}.` });
      else toast({ kind: "error", title: "Could not delete the tag", description: result.error });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="tags-heading" className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="max-w-2xl">
        <h2 id="tags-heading" className="text-base font-semibold">
          Tags
        </h2>
        <p className="text-sm text-slate-600">
          Group customer tenants (by contract, region, technician…). Put tags on tenants from the{" "}
          <Link href="/tenants" className="font-medium text-blue-700 underline">
            tenant table
          </Link>{" "}
          (select rows, then Add tag) or on a tenant&apos;s page, and filter the table by them.
        </p>
      </div>

      {canEdit && <TagForm key={tags.length} mode="create" onDone={(name) => toast({ kind: "success", title: `Tag “${name}” created` })} />}

      {tags.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 px-6 py-8 text-center">
          <p className="text-sm font-semibold text-slate-900">No tags yet</p>
          <p className="mx-auto mt-1 max-w-lg text-sm text-slate-600">
            {canEdit ? "Create the first one above, for instance “Gold” or “Healthcare”." : "An administrator creates tags here."}
          </p>
        </div>
      ) : (
        <div className="-mx-6 -mb-6 overflow-x-auto rounded-b-xl">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Tags and the number of tenants that have each</caption>
            <thead className="border-y border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="py-2 pl-6 pr-3">
                  Tag
                </th>
                <th scope="col" className="px-3 py-2">
                  Colour
                </th>
                <th scope="col" className="px-3 py-2 text-right">
                  Tenants
                </th>
                <th scope="col" className="py-2 pl-3 pr-6">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {tags.map((t) => (
                <tr key={t.id}>
                  <td className="py-2.5 pl-6 pr-3">
                    <TagChip tag={t} className="max-w-64 text-xs" />
                  </td>
                  <td className="px-3 py-2.5 text-slate-700">{tagPalette[t.color].label}</td>
                  <td className="px-3 py-2.5 text-right tabular-nums">
                    {t.tenants > 0 ? (
                      <Link
                        href={`/tenants?tag=${t.id}`}
                        className="font-medium text-blue-700 hover:underline"
                        aria-label={`${tenantsText(t.tenants)} tagged ${t.name}`}
                      >
                        {t.tenants.toLocaleString("en-US")}
                      </Link>
                    ) : (
                      <span className="text-slate-500">0</span>
                    )}
                  </td>
                  <td className="whitespace-nowrap py-2.5 pl-3 pr-6 text-right">
                    {canEdit && (
                      <div className="flex justify-end gap-1">
                        <Button size="sm" variant="ghost" onClick={() => setEditing(t)}>
                          Edit<span className="sr-only"> {t.name}</span>
                        </Button>
                        <Button size="sm" variant="ghost" className="text-red-700" onClick={() => setDeleting(t)}>
                          Delete<span className="sr-only"> {t.name}</span>
                        </Button>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={`Edit tag “${editing?.name ?? ""}”`}>
        {editing && (
          <TagForm
            key={editing.id}
            mode="edit"
            tag={editing}
            onCancel={() => setEditing(null)}
            onDone={(name) => {
              setEditing(null);
              toast({ kind: "success", title: `Tag “${name}” saved` });
            }}
          />
        )}
      </Dialog>

      <Dialog
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        title={`Delete tag “${deleting?.name ?? ""}”?`}
        description={
          deleting && deleting.tenants > 0
            ? `It is removed from ${tenantsText(deleting.tenants)}; the tenants themselves stay. Saved views that filter by it show every tenant again. This cannot be undone.`
            : "No tenant has this tag. This cannot be undone."
        }
      >
        <div className="flex justify-end gap-2">
          <Button onClick={() => setDeleting(null)} disabled={busy} autoFocus>
            Cancel
          </Button>
          <Button variant="danger" onClick={remove} pending={busy}>
            Delete tag
          </Button>
        </div>
      </Dialog>
    </section>
  );
}

/** Name and colour: the create row above the table, or the edit dialog. The colours are a radio group (arrow keys). */
function TagForm({ mode, tag, onDone, onCancel }: { mode: "create" | "edit"; tag?: TagWithCount; onDone: (name: string) => void; onCancel?: () => void }) {
  const id = useId();
  const [name, setName] = useState(tag?.name ?? "");
  const [color, setColor] = useState<TagColor>(tag?.color ?? DEFAULT_TAG_COLOR);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await settleAction(mode === "create" ? createTagAction({ name, color }) : updateTagAction({ id: tag!.id, name, color }));
      if (!result.ok) return setError(result.fieldErrors?.name?.[0] ?? result.fieldErrors?.color?.[0] ?? result.error);
      if (mode === "create") setName("");
      onDone(result.data.name);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className={cn("space-y-3", mode === "create" && "rounded-lg border border-slate-200 bg-slate-50 p-4")} noValidate>
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-56 flex-1">
          <label htmlFor={`${id}-name`} className="block text-sm font-medium text-slate-800">
            {mode === "create" ? "New tag" : "Name"}
          </label>
          <input
            id={`${id}-name`}
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={TAG_NAME_MAX + 10}
            placeholder={mode === "create" ? "e.g. Gold customers" : undefined}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            className={cn(inputClass, "mt-1")}
            autoComplete="off"
          />
        </div>
        {mode === "create" && (
          <Button type="submit" variant="primary" pending={busy}>
            Create tag
          </Button>
        )}
      </div>
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Colour</legend>
        <div role="radiogroup" aria-label="Colour" className="mt-1 flex flex-wrap gap-1.5">
          {tagColors.map((c) => (
            <label
              key={c}
              className="cursor-pointer rounded-md p-0.5 ring-offset-1 has-[:checked]:ring-2 has-[:checked]:ring-blue-600 has-[:focus-visible]:outline has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-blue-600"
              title={tagPalette[c].label}
            >
              <input type="radio" name={`${id}-color`} value={c} checked={color === c} onChange={() => setColor(c)} className="sr-only" />
              <span aria-hidden className={cn("block h-6 w-6 rounded", tagPalette[c].swatch)} />
              <span className="sr-only">{tagPalette[c].label}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="flex items-center gap-2 text-sm text-slate-600">
        Preview: <TagChip tag={{ name: name.trim() || "Tag", color }} />
      </div>
      {error && (
        <p id={`${id}-error`} role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      {mode === "edit" && (
        <div className="flex justify-end gap-2">
          <Button onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" pending={busy}>
            Save
          </Button>
        </div>
      )}
    </form>
  );
}

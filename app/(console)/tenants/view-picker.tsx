"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { Button, buttonClass } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Menu, MenuItem, MenuSeparator } from "@/components/ui/menu";
import { useToast } from "@/components/ui/toast";
import type { SavedViewItem } from "@/lib/data/saved-views";
import { settleAction } from "@/lib/settle-action";
import { tenantListQuery, type TenantListParams } from "@/lib/validations/tenant";
import { deleteSavedViewAction, saveViewAction } from "./actions";

export const DEFAULT_VIEW_NAME = "Needs attention";

/** The view's query as a saved view holds it (lib/validations/saved-view.ts): no page, no selection. */
export const viewQuery = (p: TenantListParams) => tenantListQuery({ ...p, page: 1, sel: [] });

/**
 * The view picker: the default "Needs attention" view (failed first, then warnings, then the soonest
 * access break), the admin's saved views, saving the current one under a name, deleting the one shown.
 * A menu button (arrow keys, Escape) and a dialog with one field, so it is usable from the keyboard.
 */
export function ViewPicker({ params, views }: { params: TenantListParams; views: SavedViewItem[] }) {
  const router = useRouter();
  const { toast } = useToast();
  const [saving, setSaving] = useState(false);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nameId = useId();
  const errorId = useId();
  const current = viewQuery(params);
  const shown = views.find((v) => v.query === current);
  const title = current === "" ? DEFAULT_VIEW_NAME : (shown?.name ?? "Custom view");

  const save = async (form: FormData) => {
    setSaving(true);
    setError(null);
    try {
      const name = String(form.get("name") ?? "");
      const result = await settleAction(saveViewAction({ name, query: current }));
      if (!result.ok) return setError(result.fieldErrors?.name?.[0] ?? result.error);
      setOpen(false);
      toast({ kind: "success", title: `View “${result.data.name}” saved` });
      router.refresh();
    } finally {
      setSaving(false);
    }
  };

  const remove = async (view: SavedViewItem) => {
    const result = await settleAction(deleteSavedViewAction({ id: view.id }));
    if (!result.ok) return toast({ kind: "error", title: "Could not delete the view", description: result.error });
    toast({ kind: "success", title: `View “${view.name}” deleted` });
    router.refresh();
  };

  return (
    <>
      <Menu
        label={`View: ${title}. Choose or save a view`}
        align="left"
        triggerClassName={buttonClass("secondary")}
        trigger={
          <>
            <span className="text-slate-500">View:</span> {title} <span aria-hidden>▾</span>
          </>
        }
      >
        {(close) => (
          <>
            <MenuItem href="/tenants" onSelect={close}>
              {DEFAULT_VIEW_NAME} <span className="ml-auto pl-3 text-xs text-slate-500">default</span>
            </MenuItem>
            {views.map((v) => (
              <MenuItem key={v.id} href={`/tenants${v.query}`} onSelect={close}>
                {v.name}
                {v.query === current && <span className="ml-auto pl-3 text-xs text-slate-500">shown</span>}
              </MenuItem>
            ))}
            <MenuSeparator />
            <MenuItem
              onSelect={() => {
                close();
                setError(null);
                setOpen(true);
              }}
            >
              Save this view…
            </MenuItem>
            {shown && (
              <MenuItem
                danger
                onSelect={() => {
                  close();
                  void remove(shown);
                }}
              >
                Delete view “{shown.name}”
              </MenuItem>
            )}
          </>
        )}
      </Menu>
      {/* Rendered only while open: the page's HTML carries no form it does not show (docs/BENCHMARKS.md). */}
      {open && (
        <Dialog
          open={open}
          onClose={() => setOpen(false)}
          title="Save this view"
          description="Its filters, sort, page size and columns, under a name only you see."
        >
          <form action={save} className="space-y-3">
            <div>
              <label htmlFor={nameId} className="block text-sm font-medium text-slate-800">
                Name
              </label>
              <input
                id={nameId}
                name="name"
                required
                maxLength={60}
                defaultValue={shown?.name ?? ""}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? errorId : undefined}
                className="mt-1 h-9 w-full rounded-md border border-slate-300 px-3 text-sm"
                autoFocus
              />
              <p id={errorId} aria-live="polite" className="mt-1 text-sm text-red-700">
                {error}
              </p>
            </div>
            <div className="flex justify-end gap-2">
              <Button onClick={() => setOpen(false)}>Cancel</Button>
              <Button type="submit" variant="primary" pending={saving}>
                Save view
              </Button>
            </div>
          </form>
        </Dialog>
      )}
    </>
  );
}

"use client";

import Link from "next/link";
import { useState } from "react";
import { TagChip } from "@/components/tag-chip";
import { buttonClass } from "@/components/ui/button";
import { Menu, MenuCheckbox, MenuItem, MenuSeparator } from "@/components/ui/menu";
import { useToast } from "@/components/ui/toast";
import type { TagItem } from "@/lib/data/tags";
import { settleAction } from "@/lib/settle-action";
import { assignTagAction, removeTagAction } from "./actions";

/** The tag filter: tenants with any of the chosen tags (`tag=<id>,<id>` in the URL, so saved views keep it). */
export function TagFacet({ tags, selected, onChange }: { tags: TagItem[]; selected: string[]; onChange: (next: string[]) => void }) {
  if (tags.length === 0 && selected.length === 0) return null;
  return (
    <Menu
      label="Filter by tag"
      align="left"
      triggerClassName={buttonClass(selected.length ? "primary" : "secondary")}
      trigger={
        <>
          Tag
          {selected.length > 0 && <span className="rounded bg-white/20 px-1 text-xs">{selected.length}</span>} <span aria-hidden>▾</span>
        </>
      }
    >
      {() => (
        <div className="max-h-80 overflow-y-auto">
          {tags.map((t) => (
            <MenuCheckbox
              key={t.id}
              checked={selected.includes(t.id)}
              onChange={(on) => onChange(on ? [...selected, t.id] : selected.filter((s) => s !== t.id))}
            >
              <TagChip tag={t} />
            </MenuCheckbox>
          ))}
        </div>
      )}
    </Menu>
  );
}

/** "Add tag" and "Remove tag" for the selected tenants. */
export function BulkTagMenus({ tags, selectedIds }: { tags: TagItem[]; selectedIds: string[] }) {
  const { toast } = useToast();
  const [busy, setBusy] = useState(false);
  const n = selectedIds.length;
  const tenants = (k: number) => `${k.toLocaleString("en-US")} tenant${k === 1 ? "" : "s"}`;

  const apply = async (mode: "add" | "remove", tag: TagItem) => {
    setBusy(true);
    try {
      const action = mode === "add" ? assignTagAction : removeTagAction;
      const result = await settleAction(action({ tagId: tag.id, tenantIds: selectedIds }));
      if (!result.ok) {
        toast({ kind: "error", title: mode === "add" ? `Could not add “${tag.name}”` : `Could not remove “${tag.name}”`, description: result.error });
        return;
      }
      const { changed } = result.data;
      const unchanged = n - changed;
      toast({
        kind: "success",
        title: mode === "add" ? `“${tag.name}” added to ${tenants(changed)}` : `“${tag.name}” removed from ${tenants(changed)}`,
        description: unchanged > 0 ? (mode === "add" ? `${tenants(unchanged)} had it already.` : `${tenants(unchanged)} did not have it.`) : undefined,
      });
    } finally {
      setBusy(false);
    }
  };

  const list = (mode: "add" | "remove", close: () => void) =>
    tags.length === 0 ? (
      <>
        <p className="px-3 py-2 text-sm text-slate-600">No tags yet.</p>
        <MenuSeparator />
        <MenuItem href="/settings/tags">Create tags in Settings → Tags</MenuItem>
      </>
    ) : (
      <div className="max-h-80 overflow-y-auto">
        {tags.map((t) => (
          <MenuItem
            key={t.id}
            disabled={busy}
            onSelect={() => {
              close();
              void apply(mode, t);
            }}
          >
            <TagChip tag={t} />
          </MenuItem>
        ))}
      </div>
    );

  return (
    <>
      <Menu
        label="Add a tag to the selected tenants"
        align="left"
        triggerClassName={buttonClass("secondary", "sm")}
        trigger={
          <>
            Add tag <span aria-hidden>▾</span>
          </>
        }
      >
        {(close) => list("add", close)}
      </Menu>
      <Menu
        label="Remove a tag from the selected tenants"
        align="left"
        triggerClassName={buttonClass("secondary", "sm")}
        trigger={
          <>
            Remove tag <span aria-hidden>▾</span>
          </>
        }
      >
        {(close) => list("remove", close)}
      </Menu>
      {tags.length > 0 && (
        <Link href="/settings/tags" className="text-xs font-medium text-blue-800 hover:underline">
          Manage tags
        </Link>
      )}
    </>
  );
}

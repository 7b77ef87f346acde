"use client";

import Link from "next/link";
import { useState } from "react";
import { TagChip } from "@/components/tag-chip";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Menu, MenuItem, MenuSeparator } from "@/components/ui/menu";
import { useToast } from "@/components/ui/toast";
import type { TagItem } from "@/lib/data/tags";
import { settleAction } from "@/lib/settle-action";
import { tagPalette } from "@/lib/tags/palette";
import { setTenantTagsAction } from "./tag-actions";

/** The tenant's tags under its name: each removable, and "Add tag" with the tags it does not have yet. */
export function TenantTags({ tenantId, tags, allTags, canEdit }: { tenantId: string; tags: TagItem[]; allTags: TagItem[]; canEdit: boolean }) {
  const { toast } = useToast();
  const [busy, setBusy] = useState(false);
  const have = new Set(tags.map((t) => t.id));
  const addable = allTags.filter((t) => !have.has(t.id));

  const save = async (tagIds: string[], done: string) => {
    setBusy(true);
    try {
      const result = await settleAction(setTenantTagsAction({ id: tenantId, tagIds }));
      if (result.ok) toast({ kind: "success", title: done });
      else toast({ kind: "error", title: "Could not change the tags", description: result.error });
    } finally {
      setBusy(false);
    }
  };

  if (!canEdit && tags.length === 0) return null;
  return (
    <div className="mt-2 flex flex-wrap items-center gap-1.5" aria-label="Tags" role="group">
      {tags.length === 0 && <span className="text-sm text-slate-500">No tags</span>}
      {tags.map((t) =>
        canEdit ? (
          <span key={t.id} className={cn("tag inline-flex items-center gap-1 pr-0.5 text-xs", tagPalette[t.color].chip)}>
            <span className="truncate" title={t.name}>
              {t.name}
            </span>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                save(
                  tags.filter((x) => x.id !== t.id).map((x) => x.id),
                  `Tag “${t.name}” removed`,
                )
              }
              aria-label={`Remove tag ${t.name}`}
              className="rounded px-1 leading-4 hover:bg-black/10 disabled:opacity-50"
            >
              <span aria-hidden>×</span>
            </button>
          </span>
        ) : (
          <TagChip key={t.id} tag={t} className="text-xs" />
        ),
      )}
      {canEdit && (
        <Menu label="Add a tag to this tenant" align="left" triggerClassName={buttonClass("ghost", "sm")} trigger={<>+ Add tag</>}>
          {(close) =>
            addable.length === 0 ? (
              <>
                <p className="px-3 py-2 text-sm text-slate-600">{allTags.length ? "This tenant has every tag." : "No tags yet."}</p>
                <MenuSeparator />
                <MenuItem href="/settings/tags">Manage tags in Settings → Tags</MenuItem>
              </>
            ) : (
              <div className="max-h-80 overflow-y-auto">
                {addable.map((t) => (
                  <MenuItem
                    key={t.id}
                    disabled={busy}
                    onSelect={() => {
                      close();
                      void save([...tags.map((x) => x.id), t.id], `Tag “${t.name}” added`);
                    }}
                  >
                    <TagChip tag={t} />
                  </MenuItem>
                ))}
              </div>
            )
          }
        </Menu>
      )}
      {canEdit && allTags.length === 0 && (
        <Link href="/settings/tags" className="text-xs font-medium text-blue-800 hover:underline">
          Create tags
        </Link>
      )}
    </div>
  );
}

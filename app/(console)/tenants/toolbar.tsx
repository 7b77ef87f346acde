"use client";

import type { Table } from "@tanstack/react-table";
import { useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { cloudLabels, statusLabels } from "@/components/format";
import type { Density } from "@/components/data-table/data-table";
import { DataTableViewOptions } from "@/components/data-table/view-options";
import { Button, buttonClass } from "@/components/ui/button";
import { Menu, MenuCheckbox } from "@/components/ui/menu";
import type { TenantListItem } from "@/lib/data/tenants";
import { methodIds, shortMethodLabels } from "@/lib/methods";
import type { SavedViewItem } from "@/lib/data/saved-views";
import type { TagItem } from "@/lib/data/tags";
import { reasonTitle } from "@/lib/tenants/failure-groups";
import { clouds, SEARCH_MAX_LENGTH, tenantListQuery, verificationStatuses, type TenantListParams } from "@/lib/validations/tenant";
import { RequestConsentDialog, type CampaignSource } from "../campaigns/request-consent-dialog";
import { BulkTagMenus, TagFacet } from "./tag-menus";
import { ViewPicker } from "./view-picker";

const SEARCH_DEBOUNCE_MS = 300;

function Facet<T extends string>({
  title,
  options,
  labels,
  selected,
  onChange,
}: {
  title: string;
  options: readonly T[];
  labels: Record<T, string>;
  selected: T[];
  onChange: (next: T[]) => void;
}) {
  return (
    <Menu
      label={`Filter by ${title.toLowerCase()}`}
      align="left"
      triggerClassName={buttonClass(selected.length ? "primary" : "secondary")}
      trigger={
        <>
          {title}
          {selected.length > 0 && <span className="rounded bg-white/20 px-1 text-xs">{selected.length}</span>} <span aria-hidden>▾</span>
        </>
      }
    >
      {() =>
        options.map((o) => (
          <MenuCheckbox key={o} checked={selected.includes(o)} onChange={(on) => onChange(on ? [...selected, o] : selected.filter((s) => s !== o))}>
            {labels[o]}
          </MenuCheckbox>
        ))
      }
    </Menu>
  );
}

/** Search, facet filters, column choice and the actions on selected rows. */
export function TenantsToolbar({
  table,
  views,
  tags,
  params,
  onChange,
  canManage,
  selectedIds,
  canVerify,
  verifyingSelected,
  onVerifySelected,
  onClearSelection,
  density,
  onDensityChange,
}: {
  table: Table<TenantListItem>;
  views: SavedViewItem[];
  tags: TagItem[];
  params: TenantListParams;
  onChange: (changes: Partial<TenantListParams>) => void;
  canManage: boolean;
  selectedIds: string[];
  canVerify: boolean;
  verifyingSelected: boolean;
  onVerifySelected: () => void;
  onClearSelection: () => void;
  /** Remembered per admin on the server (Preferences), like the columns. */
  density: Density;
  onDensityChange: (density: Density) => void;
}) {
  // The URL's own text when the page's schema dropped it for its length, so the message below explains why.
  const urlQuery = useSearchParams().get("q") ?? "";
  const [q, setQ] = useState(params.q ?? urlQuery);
  const searchTooLong = q.trim().length > SEARCH_MAX_LENGTH;
  // Request consent (a consent campaign) takes the Operator role, as Verify does.
  const [campaign, setCampaign] = useState<{ source: CampaignSource; scope: string } | null>(null);
  const filterTag = params.tag.length === 1 ? tags.find((t) => t.id === params.tag[0]) : undefined;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const search = (value: string) => {
    setQ(value);
    clearTimeout(timer.current);
    if (value.trim().length > SEARCH_MAX_LENGTH) return;
    timer.current = setTimeout(() => {
      if (value.trim() !== (params.q ?? "")) onChange({ q: value.trim() || undefined });
    }, SEARCH_DEBOUNCE_MS);
  };
  const filtered = Boolean(
    params.q || params.status.length || params.method.length || params.cloud.length || params.reason.length || params.app || params.tag.length,
  );
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <ViewPicker params={params} views={views} />
        <label htmlFor="tenant-search" className="sr-only">
          Search tenants
        </label>
        <input
          id="tenant-search"
          type="search"
          value={q}
          onChange={(e) => search(e.target.value)}
          placeholder="Search id, email, name or domain"
          aria-invalid={searchTooLong || undefined}
          aria-describedby={searchTooLong ? "tenant-search-error" : undefined}
          className="h-9 w-full rounded-md border border-slate-300 bg-white px-3 text-sm shadow-sm aria-invalid:border-red-600 sm:w-80"
        />
        {searchTooLong && (
          <p id="tenant-search-error" role="alert" className="w-full text-sm text-red-700">
            Search is limited to {SEARCH_MAX_LENGTH} characters ({q.trim().length} typed): shorten it to search.
          </p>
        )}
        <Facet title="Status" options={verificationStatuses} labels={statusLabels} selected={params.status} onChange={(status) => onChange({ status })} />
        <Facet title="Method" options={methodIds} labels={shortMethodLabels} selected={params.method} onChange={(method) => onChange({ method })} />
        <Facet title="Cloud" options={clouds} labels={cloudLabels} selected={params.cloud} onChange={(cloud) => onChange({ cloud })} />
        <TagFacet tags={tags} selected={params.tag} onChange={(tag) => onChange({ tag })} />
        {(params.reason.length > 0 || params.app) && (
          <Button variant="primary" onClick={() => onChange({ reason: [], app: undefined })} aria-label="Remove the cause filter">
            Cause: {params.reason.map(reasonTitle).join(", ") || "any"}
            {params.app ? ` · ${params.app === "own" ? "own app" : params.app === "default" ? "default app" : "chosen app"}` : ""} <span aria-hidden>✕</span>
          </Button>
        )}
        {filtered && (
          <Button
            variant="ghost"
            onClick={() => {
              clearTimeout(timer.current);
              setQ("");
              onChange({ q: undefined, status: [], method: [], cloud: [], reason: [], app: undefined, tag: [] });
            }}
          >
            Reset filters
          </Button>
        )}
        {canVerify && filterTag && (
          <Button onClick={() => setCampaign({ source: { tagId: filterTag.id }, scope: `Every tenant with the tag ${filterTag.name}.` })}>
            Request consent<span className="sr-only"> from every tenant with the tag {filterTag.name}</span>
          </Button>
        )}
        <div className="ml-auto flex gap-2">
          <Button
            aria-pressed={density === "compact"}
            onClick={() => onDensityChange(density === "compact" ? "comfortable" : "compact")}
            title="One line a tenant, to see more at once; remembered for you"
          >
            <span aria-hidden>{density === "compact" ? "☰" : "≡"}</span> Compact
          </Button>
          <DataTableViewOptions table={table} />
        </div>
      </div>
      {selectedIds.length > 0 && (
        <div
          role="region"
          aria-label="Selected tenants"
          className="flex flex-wrap items-center gap-2 rounded-lg border border-blue-200 bg-blue-50 px-3 py-2 text-sm"
        >
          <span className="font-medium text-blue-900">{selectedIds.length.toLocaleString("en-US")} selected</span>
          {canVerify && (
            <Button size="sm" variant="primary" onClick={onVerifySelected} pending={verifyingSelected}>
              Verify selected
            </Button>
          )}
          {canVerify && (
            <Button
              size="sm"
              onClick={() =>
                setCampaign({
                  source: { tenantIds: selectedIds },
                  scope: `The ${selectedIds.length.toLocaleString("en-US")} selected ${selectedIds.length === 1 ? "tenant" : "tenants"}.`,
                })
              }
            >
              Request consent
            </Button>
          )}
          {canManage && <BulkTagMenus tags={tags} selectedIds={selectedIds} />}
          <a href={`/tenants/export${tenantListQuery({ sel: selectedIds })}`} download className={buttonClass("secondary", "sm")}>
            Export selected
          </a>
          <Button size="sm" variant="ghost" onClick={onClearSelection}>
            Clear selection
          </Button>
        </div>
      )}
      {campaign && <RequestConsentDialog open onClose={() => setCampaign(null)} source={campaign.source} scope={campaign.scope} />}
    </div>
  );
}

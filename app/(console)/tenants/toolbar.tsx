"use client";

import type { Table } from "@tanstack/react-table";
import { useEffect, useRef, useState } from "react";
import { cloudLabels, statusLabels } from "@/components/format";
import { DataTableViewOptions } from "@/components/data-table/view-options";
import { Button, buttonClass } from "@/components/ui/button";
import { Menu, MenuCheckbox } from "@/components/ui/menu";
import type { TenantListItem } from "@/lib/data/tenants";
import { methodIds, shortMethodLabels } from "@/lib/methods";
import type { SavedViewItem } from "@/lib/data/saved-views";
import { reasonTitle } from "@/lib/tenants/failure-groups";
import { clouds, tenantListQuery, verificationStatuses, type TenantListParams } from "@/lib/validations/tenant";
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
  params,
  onChange,
  selectedIds,
  canVerify,
  verifyingSelected,
  onVerifySelected,
  onClearSelection,
}: {
  table: Table<TenantListItem>;
  views: SavedViewItem[];
  params: TenantListParams;
  onChange: (changes: Partial<TenantListParams>) => void;
  selectedIds: string[];
  canVerify: boolean;
  verifyingSelected: boolean;
  onVerifySelected: () => void;
  onClearSelection: () => void;
}) {
  const [q, setQ] = useState(params.q ?? "");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const search = (value: string) => {
    setQ(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (value.trim() !== (params.q ?? "")) onChange({ q: value.trim() || undefined });
    }, SEARCH_DEBOUNCE_MS);
  };
  const filtered = Boolean(params.q || params.status.length || params.method.length || params.cloud.length || params.reason.length || params.app);
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
          className="h-9 w-full rounded-md border border-slate-300 bg-white px-3 text-sm shadow-sm sm:w-80"
        />
        <Facet title="Status" options={verificationStatuses} labels={statusLabels} selected={params.status} onChange={(status) => onChange({ status })} />
        <Facet title="Method" options={methodIds} labels={shortMethodLabels} selected={params.method} onChange={(method) => onChange({ method })} />
        <Facet title="Cloud" options={clouds} labels={cloudLabels} selected={params.cloud} onChange={(cloud) => onChange({ cloud })} />
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
              onChange({ q: undefined, status: [], method: [], cloud: [], reason: [], app: undefined });
            }}
          >
            Reset filters
          </Button>
        )}
        <div className="ml-auto">
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
          <a href={`/tenants/export${tenantListQuery({ sel: selectedIds })}`} download className={buttonClass("secondary", "sm")}>
            Export selected
          </a>
          <Button size="sm" variant="ghost" onClick={onClearSelection}>
            Clear selection
          </Button>
        </div>
      )}
    </div>
  );
}

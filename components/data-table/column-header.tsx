"use client";

import type { Column } from "@tanstack/react-table";

/** A sortable column title: one button that cycles ascending → descending; the <th> carries aria-sort. */
export function DataTableColumnHeader<TData, TValue>({ column, title }: { column: Column<TData, TValue>; title: string }) {
  if (!column.getCanSort()) return <span>{title}</span>;
  const sorted = column.getIsSorted();
  return (
    <button
      type="button"
      onClick={() => column.toggleSorting(sorted === "asc")}
      className="-mx-1.5 inline-flex items-center gap-1 rounded px-1.5 py-1 text-left hover:bg-slate-200/70"
      aria-label={`${title}: sort ${sorted === "asc" ? "descending" : "ascending"}`}
    >
      {title}
      <span aria-hidden className={sorted ? "text-slate-900" : "text-slate-400"}>
        {sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : "↕"}
      </span>
    </button>
  );
}

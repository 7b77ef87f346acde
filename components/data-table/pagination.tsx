"use client";

import type { Table } from "@tanstack/react-table";
import { Button } from "@/components/ui/button";

/**
 * Pager for a manual (server-side) table: row range, page size and first/previous/next/last. `total` may
 * still be on its way (null): the range and the page count then wait for it, with the same layout.
 */
export function DataTablePagination<TData>({
  table,
  total,
  pageSizes,
  selectedCount,
}: {
  table: Table<TData>;
  total: number | null;
  pageSizes: readonly number[];
  selectedCount: number;
}) {
  const { pageIndex, pageSize } = table.getState().pagination;
  const rowsOnPage = table.getRowModel().rows.length;
  const pages = total === null ? null : Math.max(1, Math.ceil(total / pageSize));
  const first = rowsOnPage === 0 ? 0 : pageIndex * pageSize + 1;
  const last = pageIndex * pageSize + rowsOnPage;
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-3 py-3 text-sm text-slate-600">
      <p aria-live="polite">
        {rowsOnPage === 0 ? (
          "No tenants"
        ) : (
          <>
            Showing{" "}
            <span className="font-medium text-slate-900">
              {first.toLocaleString("en-US")}–{last.toLocaleString("en-US")}
            </span>{" "}
            of <span className="font-medium text-slate-900">{total === null ? "…" : total.toLocaleString("en-US")}</span>
          </>
        )}
        {selectedCount > 0 && <span className="ml-2">· {selectedCount} selected</span>}
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <label className="flex items-center gap-2">
          Rows per page
          <select
            value={pageSize}
            onChange={(e) => table.setPageSize(Number(e.target.value))}
            className="h-8 rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-900"
          >
            {pageSizes.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <span className="px-1 tabular-nums">
          Page {(pageIndex + 1).toLocaleString("en-US")} of {pages === null ? "…" : pages.toLocaleString("en-US")}
        </span>
        <Button size="sm" onClick={() => table.setPageIndex(0)} disabled={!table.getCanPreviousPage()} aria-label="First page">
          «
        </Button>
        <Button size="sm" onClick={() => table.previousPage()} disabled={!table.getCanPreviousPage()}>
          Previous
        </Button>
        <Button size="sm" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()}>
          Next
        </Button>
        <Button size="sm" onClick={() => pages && table.setPageIndex(pages - 1)} disabled={pages === null || !table.getCanNextPage()} aria-label="Last page">
          »
        </Button>
      </div>
    </nav>
  );
}

"use client";

import { flexRender, type Row, type Table } from "@tanstack/react-table";
import { Fragment } from "react";
import { cn } from "@/components/ui/cn";

export type ColumnMeta = {
  headerClassName?: string;
  cellClassName?: string;
  label?: string;
  /** "low": left out on narrow screens (under 640 px), so the table fits a phone without sideways scrolling. */
  priority?: "low";
};

export type Density = "comfortable" | "compact";

/**
 * Renders a TanStack table instance. Cell padding and row states are the `dt` component classes in
 * app/globals.css, so a row's markup carries only what differs per column; a column's width belongs on
 * its header (`headerClassName`), which sizes the whole column. State lives with the caller (server-side mode: the URL), so this
 * stays generic: headers announce their sort order with aria-sort, an expanded row renders `renderExpanded`
 * under it, and the body dims while a new page is loading instead of jumping. Low-priority columns are
 * hidden on narrow screens by one style rule naming their positions (nothing per row), and `density`
 * "compact" gives one line per row (`dt-compact`).
 * @see https://tanstack.com/table/v8/docs/guide/pagination#manual-server-side-pagination
 */
export function DataTable<TData>({
  table,
  caption,
  pending,
  empty,
  renderExpanded,
  rowClassName,
  density = "comfortable",
}: {
  table: Table<TData>;
  caption: string;
  pending?: boolean;
  empty: React.ReactNode;
  renderExpanded?: (row: Row<TData>) => React.ReactNode;
  rowClassName?: (row: Row<TData>) => string | undefined;
  density?: Density;
}) {
  const rows = table.getRowModel().rows;
  const visible = table.getVisibleLeafColumns();
  const columnCount = visible.length;
  const lowPriority = visible.flatMap((c, i) => ((c.columnDef.meta as ColumnMeta | undefined)?.priority === "low" ? [i + 1] : []));
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
      {lowPriority.length > 0 && (
        <style>{`@media (max-width:639.98px){${lowPriority.map((n) => `.dt>*>tr>:nth-child(${n}):not([colspan])`).join(",")}{display:none}}`}</style>
      )}
      <table className={cn("dt dt-data min-w-full divide-y divide-slate-200 text-sm", density === "compact" && "dt-compact")} aria-busy={pending || undefined}>
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold text-slate-600">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                const meta = header.column.columnDef.meta as ColumnMeta | undefined;
                return (
                  <th
                    key={header.id}
                    scope="col"
                    aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : header.column.getCanSort() ? "none" : undefined}
                    className={meta?.headerClassName}
                  >
                    {header.isPlaceholder ? null : flexRender(header.column.columnDef.header, header.getContext())}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody className={cn("divide-y divide-slate-100 transition-opacity", pending && "opacity-60")}>
          {rows.length === 0 && (
            <tr>
              <td colSpan={columnCount} className="px-4 py-12">
                {empty}
              </td>
            </tr>
          )}
          {rows.map((row) => (
            <Fragment key={row.id}>
              <tr data-state={row.getIsSelected() ? "selected" : undefined} className={rowClassName?.(row)}>
                {row.getVisibleCells().map((cell) => {
                  const meta = cell.column.columnDef.meta as ColumnMeta | undefined;
                  return (
                    <td key={cell.id} className={meta?.cellClassName}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  );
                })}
              </tr>
              {row.getIsExpanded() && renderExpanded && (
                <tr className="dt-expanded">
                  <td colSpan={columnCount} className="px-4 py-3">
                    {renderExpanded(row)}
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

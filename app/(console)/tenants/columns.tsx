"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { cloudLabels } from "@/components/format";
import { DataTableColumnHeader } from "@/components/data-table/column-header";
import type { ColumnMeta } from "@/components/data-table/data-table";
import { StatusBadge } from "@/components/status-badge";
import { LocalTime } from "@/components/ui/local-time";
import { Tooltip } from "@/components/ui/tooltip";
import type { TenantListItem } from "@/lib/data/tenants";
import { explainStatus, shortMethodLabels } from "@/lib/methods";
import { RowActions, type RowActionHandlers } from "./row-actions";

export type ColumnContext = {
  renderedAt: number;
  caps: { verify: boolean; manage: boolean };
  handlers: RowActionHandlers;
};

const meta = (m: ColumnMeta) => m;
const SOON_MS = 14 * 86_400_000;

/**
 * Built once: TanStack renders each cell function as a component, so new functions would remount every
 * cell (closing an open row menu) whenever the page re-renders. Per-render values come from table meta.
 */
export function tenantColumns(): ColumnDef<TenantListItem>[] {
  return [
    {
      id: "select",
      enableSorting: false,
      enableHiding: false,
      meta: meta({ headerClassName: "w-10", cellClassName: "w-10" }),
      header: ({ table }) => (
        <input
          type="checkbox"
          aria-label="Select all tenants on this page"
          className="h-4 w-4 rounded border-slate-400"
          checked={table.getIsAllPageRowsSelected()}
          ref={(el) => {
            if (el) el.indeterminate = table.getIsSomePageRowsSelected();
          }}
          onChange={(e) => table.toggleAllPageRowsSelected(e.target.checked)}
        />
      ),
      cell: ({ row }) => (
        <input
          type="checkbox"
          aria-label={`Select ${row.original.customerId}`}
          className="mt-0.5 h-4 w-4 rounded border-slate-400"
          checked={row.getIsSelected()}
          onChange={(e) => row.toggleSelected(e.target.checked)}
        />
      ),
    },
    {
      id: "customerId",
      accessorKey: "customerId",
      enableHiding: false,
      meta: meta({ label: "Customer Id", cellClassName: "min-w-36" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="Customer Id" />,
      cell: ({ row }) => (
        <div className="min-w-0">
          <Link href={`/tenants/${row.original.id}`} className="font-medium text-blue-700 hover:underline">
            {row.original.customerId}
          </Link>
          <div className="max-w-56 truncate text-xs text-slate-500" title={row.original.displayName}>
            {row.original.displayName}
          </div>
        </div>
      ),
    },
    {
      id: "adminEmail",
      accessorKey: "adminEmail",
      meta: meta({ label: "M365 Email", cellClassName: "max-w-56" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="M365 Email" />,
      cell: ({ row }) => (
        <div className="min-w-0">
          <div className="truncate" title={row.original.adminEmail}>
            {row.original.adminEmail}
          </div>
          <div className="truncate text-xs text-slate-500">{row.original.primaryDomain ?? row.original.entraTenantId ?? "No tenant ID yet"}</div>
        </div>
      ),
    },
    {
      id: "authMethod",
      accessorKey: "authMethod",
      meta: meta({ label: "Authentication Method", cellClassName: "whitespace-nowrap" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="Authentication Method" />,
      cell: ({ row }) => (
        <div>
          <div>{shortMethodLabels[row.original.authMethod]}</div>
          {row.original.cloud !== "GLOBAL" && <div className="text-xs text-slate-500">{cloudLabels[row.original.cloud]}</div>}
        </div>
      ),
    },
    {
      id: "lastVerifiedAt",
      accessorKey: "lastVerifiedAt",
      meta: meta({ label: "When Last Verified", cellClassName: "whitespace-nowrap" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="When Last Verified" />,
      cell: ({ row, table }) => <LocalTime value={row.original.lastVerifiedAt} renderedAt={(table.options.meta as ColumnContext).renderedAt} />,
    },
    {
      id: "lastStatus",
      accessorKey: "lastStatus",
      meta: meta({ label: "Last Verification Status", cellClassName: "min-w-44" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="Last Verification Status" />,
      cell: ({ row }) => {
        const t = row.original;
        const reason = explainStatus(t.authMethod, t.lastStatusCode);
        const title = t.lastStatus === "NEVER" ? "Not verified yet" : (t.lastStatusMessage ?? reason?.title ?? "");
        return (
          <div className="min-w-0">
            <div className="flex items-center gap-1.5">
              <Tooltip
                content={
                  reason ? (
                    <>
                      <span className="block">{reason.explanation}</span>
                      <span className="mt-1 block font-semibold">What to do: {reason.remediation.text}</span>
                    </>
                  ) : (
                    "Run Verify to check this tenant's access."
                  )
                }
              >
                <span tabIndex={0} className="inline-flex rounded-full">
                  <StatusBadge status={t.lastStatus} />
                </span>
              </Tooltip>
              <button
                type="button"
                onClick={() => row.toggleExpanded()}
                aria-expanded={row.getIsExpanded()}
                aria-label={`${row.getIsExpanded() ? "Hide" : "Show"} details for ${t.customerId}`}
                className="rounded px-1 py-0.5 text-xs text-slate-500 hover:bg-slate-100 hover:text-slate-800"
              >
                <span aria-hidden>{row.getIsExpanded() ? "▾ Less" : "▸ More"}</span>
              </button>
            </div>
            {t.lastStatus !== "VERIFIED" && <div className="mt-1 line-clamp-2 max-w-64 text-xs text-slate-600">{title}</div>}
          </div>
        );
      },
    },
    {
      id: "accessBreaksAt",
      accessorKey: "accessBreaksAt",
      meta: meta({ label: "Access Breaks On", cellClassName: "whitespace-nowrap" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="Access Breaks On" />,
      cell: ({ row, table }) => {
        const { renderedAt } = table.options.meta as ColumnContext;
        const at = row.original.accessBreaksAt;
        const soon = at ? new Date(at).getTime() - renderedAt < SOON_MS : false;
        return <LocalTime value={at} renderedAt={renderedAt} empty="—" className={soon ? "font-medium text-red-700" : undefined} />;
      },
    },
    {
      id: "actions",
      enableSorting: false,
      enableHiding: false,
      meta: meta({ headerClassName: "text-right", cellClassName: "text-right" }),
      header: () => <span>Actions</span>,
      cell: ({ row, table }) => {
        const { caps, handlers } = table.options.meta as ColumnContext;
        return <RowActions tenant={row.original} caps={caps} handlers={handlers} />;
      },
    },
  ];
}

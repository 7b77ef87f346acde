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
import { authorizationLabels, explainStatus, shortMethodLabels, type AuthorizationState } from "@/lib/methods";
import { RowActions, type RowActionHandlers } from "./row-actions";

export type ColumnContext = {
  renderedAt: number;
  caps: { verify: boolean; manage: boolean };
  handlers: RowActionHandlers;
};

const meta = (m: ColumnMeta) => m;
const authorizationTone: Record<AuthorizationState, string | undefined> = {
  AUTHORIZED: undefined,
  NOT_AUTHORIZED: "text-slate-500",
  BROKEN: "font-medium text-red-700",
};
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
      meta: meta({ headerClassName: "w-10" }),
      header: ({ table }) => (
        <input
          type="checkbox"
          aria-label="Select all tenants on this page"
          className="dt-check"
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
          checked={row.getIsSelected()}
          onChange={(e) => row.toggleSelected(e.target.checked)}
        />
      ),
    },
    {
      id: "customerId",
      accessorKey: "customerId",
      enableHiding: false,
      meta: meta({ label: "Customer Id", headerClassName: "min-w-36" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="Customer Id" />,
      cell: ({ row }) => (
        <>
          <Link href={`/tenants/${row.original.id}`} className="dt-link">
            {row.original.customerId}
          </Link>
          <div className="dt-sub max-w-56" title={row.original.displayName}>
            {row.original.displayName}
          </div>
        </>
      ),
    },
    {
      id: "adminEmail",
      accessorKey: "adminEmail",
      meta: meta({ label: "M365 Email", cellClassName: "max-w-56" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="M365 Email" />,
      cell: ({ row }) => (
        <>
          <div className="truncate" title={row.original.adminEmail}>
            {row.original.adminEmail}
          </div>
          <div className="dt-sub">{row.original.primaryDomain ?? row.original.entraTenantId ?? "No tenant ID yet"}</div>
        </>
      ),
    },
    {
      id: "authMethod",
      accessorKey: "authMethod",
      meta: meta({ label: "Authentication Method", cellClassName: "nw" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="Authentication Method" />,
      cell: ({ row }) => (
        <>
          {shortMethodLabels[row.original.authMethod]}
          <div className="dt-sub">
            <span className={authorizationTone[row.original.authorization]}>{authorizationLabels[row.original.authorization]}</span>
            {row.original.cloud !== "GLOBAL" && ` · ${cloudLabels[row.original.cloud]}`}
          </div>
        </>
      ),
    },
    {
      id: "lastVerifiedAt",
      accessorKey: "lastVerifiedAt",
      meta: meta({ label: "When Last Verified", cellClassName: "nw" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="When Last Verified" />,
      cell: ({ row, table }) => <LocalTime value={row.original.lastVerifiedAt} renderedAt={(table.options.meta as ColumnContext).renderedAt} />,
    },
    {
      id: "lastStatus",
      accessorKey: "lastStatus",
      meta: meta({ label: "Last Verification Status", headerClassName: "min-w-44" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="Last Verification Status" />,
      cell: ({ row }) => {
        const t = row.original;
        const reason = explainStatus(t.authMethod, t.lastStatusCode);
        const title = t.lastStatus === "NEVER" ? "Not verified yet" : (t.lastStatusMessage ?? reason?.title ?? "");
        return (
          <>
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
                <StatusBadge status={t.lastStatus} tabIndex={0} />
              </Tooltip>
              <button
                type="button"
                onClick={() => row.toggleExpanded()}
                aria-expanded={row.getIsExpanded()}
                aria-label={`${row.getIsExpanded() ? "Hide" : "Show"} details for ${t.customerId}`}
                className="dt-more"
              >
                {row.getIsExpanded() ? "▾ Less" : "▸ More"}
              </button>
            </div>
            {t.lastStatus !== "VERIFIED" && <div className="mt-1 line-clamp-2 max-w-64 text-xs text-slate-600">{title}</div>}
          </>
        );
      },
    },
    {
      id: "accessBreaksAt",
      accessorKey: "accessBreaksAt",
      meta: meta({ label: "Access Breaks On", cellClassName: "nw" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="Access Breaks On" />,
      cell: ({ row, table }) => {
        const { renderedAt } = table.options.meta as ColumnContext;
        const at = row.original.accessBreaksAt;
        const soon = at ? new Date(at).getTime() - renderedAt < SOON_MS : false;
        return <LocalTime value={at} renderedAt={renderedAt} empty="—" absolute className={soon ? "font-medium text-red-700" : undefined} />;
      },
    },
    {
      id: "actions",
      enableSorting: false,
      enableHiding: false,
      meta: meta({ headerClassName: "text-right" }),
      header: () => <span>Actions</span>,
      cell: ({ row, table }) => {
        const { caps, handlers } = table.options.meta as ColumnContext;
        return <RowActions tenant={row.original} caps={caps} handlers={handlers} />;
      },
    },
  ];
}

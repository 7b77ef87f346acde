"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { cloudLabels, statusLabels } from "@/components/format";
import { DataTableColumnHeader } from "@/components/data-table/column-header";
import type { ColumnMeta } from "@/components/data-table/data-table";
import { TagChips } from "@/components/tag-chip";
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
  NOT_AUTHORIZED: undefined,
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
      meta: meta({ headerClassName: "w-10 max-sm:w-7" }),
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
      meta: meta({ label: "Customer Id", headerClassName: "sm:min-w-36" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="Customer Id" />,
      // Plain elements styled by the `dt` classes (app/globals.css): a row's markup is repeated 100 times.
      cell: ({ row }) => (
        <>
          {/* On a phone both lines are cut short (app/globals.css): the name's title has it whole; the customer
              id is the link's own text and name, whole on the tenant's page (a title repeating it costs every row). */}
          <Link href={`/tenants/${row.original.id}`}>{row.original.customerId}</Link>
          <small title={row.original.displayName}>{row.original.displayName}</small>
          <TagChips tags={row.original.tags} label={`Tags of ${row.original.customerId}`} />
        </>
      ),
    },
    {
      id: "adminEmail",
      accessorKey: "adminEmail",
      meta: meta({ label: "M365 Email", priority: "low" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="M365 Email" />,
      cell: ({ row }) => (
        <>
          <p>{row.original.adminEmail}</p>
          <small>{row.original.primaryDomain ?? row.original.entraTenantId ?? "No tenant ID yet"}</small>
        </>
      ),
    },
    {
      id: "authMethod",
      accessorKey: "authMethod",
      meta: meta({ label: "Authentication Method", priority: "low" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="Authentication Method" />,
      cell: ({ row }) => (
        <>
          {shortMethodLabels[row.original.authMethod]}
          <small className={authorizationTone[row.original.authorization]}>
            {authorizationLabels[row.original.authorization]}
            {row.original.cloud !== "GLOBAL" && ` · ${cloudLabels[row.original.cloud]}`}
          </small>
        </>
      ),
    },
    {
      id: "lastVerifiedAt",
      accessorKey: "lastVerifiedAt",
      meta: meta({ label: "When Last Verified", priority: "low" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="When Last Verified" />,
      cell: ({ row, table }) =>
        row.original.lastVerifiedAt ? <LocalTime value={row.original.lastVerifiedAt} renderedAt={(table.options.meta as ColumnContext).renderedAt} /> : "Never",
    },
    {
      id: "lastStatus",
      accessorKey: "lastStatus",
      enableHiding: false,
      meta: meta({ label: "Last Verification Status", headerClassName: "sm:min-w-32" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="Last Verification Status" />,
      cell: ({ row }) => {
        const t = row.original;
        const reason = explainStatus(t.authMethod, t.lastStatusCode);
        const title = t.lastStatus === "NEVER" ? "Not verified yet" : (t.lastStatusMessage ?? reason?.title ?? "");
        // The status is the details' toggle: hover or focus explains it, a click or Enter shows the details row.
        return (
          <>
            <Tooltip
              bare
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
              {/* No type attribute: outside any form a button submits nothing, and this is repeated on every row. */}
              <button className={`badge badge-${t.lastStatus}`} onClick={() => row.toggleExpanded()} aria-expanded={row.getIsExpanded()}>
                {statusLabels[t.lastStatus]}
              </button>
            </Tooltip>
            {t.lastStatus !== "VERIFIED" && <em>{title}</em>}
          </>
        );
      },
    },
    {
      id: "accessBreaksAt",
      accessorKey: "accessBreaksAt",
      meta: meta({ label: "Access Breaks On", priority: "low" }),
      header: ({ column }) => <DataTableColumnHeader column={column} title="Access Breaks On" />,
      cell: ({ row, table }) => {
        const { renderedAt } = table.options.meta as ColumnContext;
        const at = row.original.accessBreaksAt;
        if (!at) return "—";
        const soon = new Date(at).getTime() - renderedAt < SOON_MS;
        return <LocalTime value={at} renderedAt={renderedAt} className={soon ? "font-medium text-red-700" : undefined} />;
      },
    },
    {
      id: "actions",
      enableSorting: false,
      enableHiding: false,
      meta: meta({ headerClassName: "text-right", cellClassName: "dt-act" }),
      header: () => <span>Actions</span>,
      cell: ({ row, table }) => {
        const { caps, handlers } = table.options.meta as ColumnContext;
        return <RowActions tenant={row.original} caps={caps} handlers={handlers} />;
      },
    },
  ];
}

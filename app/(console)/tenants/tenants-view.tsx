"use client";

import {
  getCoreRowModel,
  useReactTable,
  type ExpandedState,
  type PaginationState,
  type RowSelectionState,
  type SortingState,
  type Updater,
  type VisibilityState,
} from "@tanstack/react-table";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState, useTransition } from "react";
import { DataTable, type Density } from "@/components/data-table/data-table";
import { DataTablePagination } from "@/components/data-table/pagination";
import { Button, buttonClass } from "@/components/ui/button";
import { ToastProvider, useToast } from "@/components/ui/toast";
import { Tooltip } from "@/components/ui/tooltip";
import type { SavedViewItem } from "@/lib/data/saved-views";
import type { TagItem } from "@/lib/data/tags";
import type { StatusCounts } from "@/lib/data/tenants";
import { settleAction } from "@/lib/settle-action";
import { unpackTenantRows, type TenantRow } from "@/lib/tenants/list-rows";
import {
  DEFAULT_SORT,
  hideableColumns,
  pageSizes,
  tenantListQuery,
  tenantSortColumns,
  totalOf,
  type HideableColumn,
  type TenantListParams,
  type TenantSortColumn,
} from "@/lib/validations/tenant";
import type { RunProgress } from "@/lib/verification/types";
import { updatePreferencesAction } from "../actions";
import { getRunProgressAction, reloadAllAction, startVerificationRunAction } from "./actions";
import { tenantColumns, type ColumnContext } from "./columns";
import { ReloadProgress, type ReloadJobView } from "./reload-progress";
import { RunProgressPanel } from "./run-progress";
import { FailureGroups } from "./failure-groups";
import { StatusDetails } from "./status-details";
import { SummaryCounts, SummaryCountsSkeleton } from "./summary-counts";
import { TenantsToolbar } from "./toolbar";
import { useTenantActions } from "./use-tenant-actions";

export type TenantsViewProps = {
  rows: TenantRow[];
  hasMore: boolean;
  params: TenantListParams;
  caps: { verify: boolean; manage: boolean };
  renderedAt: number;
  activeRun: RunProgress | null;
  activeReload: ReloadJobView | null;
  views: SavedViewItem[];
  /** Every tag, once; rows carry tag ids. */
  tags: TagItem[];
  /** The admin's remembered density (Preferences); their remembered columns arrive as `params.hide`. */
  density: Density;
};

export function TenantsView(props: TenantsViewProps) {
  return (
    <ToastProvider>
      <TenantsConsole {...props} />
    </ToastProvider>
  );
}

const tooltips = {
  update:
    "Re-reads tenants and their statuses from the console's database, picking up changes made by other admins, other console instances and scheduled runs. Makes no Microsoft calls.",
  verifyAll:
    "Checks every tenant's access with Microsoft now (sign-in with its stored authorization, then a Graph read) and records the result. If a run is already in progress, shows that run.",
  reloadAll:
    "Refreshes each reachable tenant's directory details (organization name, default domain and verified tenant ID) from Microsoft Graph, then reloads the table.",
};

function applyUpdater<T>(updater: Updater<T>, old: T): T {
  return typeof updater === "function" ? (updater as (o: T) => T)(old) : updater;
}

function TenantsConsole({ rows, hasMore, params, caps, renderedAt, activeRun, activeReload, views, tags, density: initialDensity }: TenantsViewProps) {
  const router = useRouter();
  const { toast } = useToast();
  const items = useMemo(() => unpackTenantRows(rows, tags), [rows, tags]);
  const [pending, startTransition] = useTransition();
  const [selection, setSelection] = useState<RowSelectionState>(() => Object.fromEntries(params.sel.map((id) => [id, true])));
  const [hidden, setHidden] = useState<HideableColumn[]>(params.hide);
  const [density, setDensity] = useState<Density>(initialDensity);
  const [expanded, setExpanded] = useState<ExpandedState>({});
  const [run, setRun] = useState<RunProgress | null>(activeRun);
  const [reloadJob, setReloadJob] = useState<ReloadJobView | null>(activeReload);
  const [starting, setStarting] = useState<"all" | "selected" | "reload" | null>(null);
  const [updating, startUpdate] = useTransition();
  const { handlers, dialogs, addTenant } = useTenantActions();
  // Keyboard focus: a button is disabled while its action runs, which drops focus to the page body. Focus
  // moves to the run's panel when one starts (focusPanel), and otherwise back to the button once enabled.
  const updateButton = useRef<HTMLButtonElement>(null);
  const verifyAllButton = useRef<HTMLButtonElement>(null);
  const reloadAllButton = useRef<HTMLButtonElement>(null);
  const refocusTo = useRef<HTMLButtonElement | null>(null);
  const [focusPanel, setFocusPanel] = useState<string | null>(null);
  useEffect(() => {
    if (starting || updating || !refocusTo.current) return;
    refocusTo.current.focus();
    refocusTo.current = null;
  }, [starting, updating]);
  const keepFocus = (button: HTMLButtonElement | null) => {
    if (button && document.activeElement === button) refocusTo.current = button;
  };

  // Counts follow every server render (renderedAt changes on navigation and on Update) for the current filters.
  const [counts, setCounts] = useState<StatusCounts | null>(null);
  const countsQuery = tenantListQuery({ q: params.q, method: params.method, cloud: params.cloud, reason: params.reason, app: params.app, tag: params.tag });
  useEffect(() => {
    const controller = new AbortController();
    fetch(`/tenants/counts${countsQuery}`, { signal: controller.signal, cache: "no-store" })
      .then((r) => (r.ok ? (r.json() as Promise<StatusCounts>) : null))
      .then((c) => c && setCounts(c))
      .catch(() => {});
    return () => controller.abort();
  }, [countsQuery, renderedAt]);

  const selectedIds = useMemo(() => Object.keys(selection).filter((id) => selection[id]), [selection]);

  /** Server-side state (filters, sort, page) changes load a new page; the current selection and columns ride along. */
  const navigate = useCallback(
    (changes: Partial<TenantListParams>) => {
      const query = tenantListQuery({ ...params, sel: selectedIds, hide: hidden, page: 1, ...changes });
      startTransition(() => router.push(`/tenants${query}`, { scroll: false }));
    },
    [params, selectedIds, hidden, router],
  );

  /** Client-only state (selection, visible columns) is written to the URL without a server round trip. */
  const replaceUrl = useCallback(
    (sel: string[], hide: HideableColumn[]) => window.history.replaceState(null, "", `/tenants${tenantListQuery({ ...params, sel, hide })}`),
    [params],
  );

  /** Density and columns are remembered for the admin on the server, so the next page renders with them at once. */
  const remember = (change: { density?: Density; hiddenColumns?: HideableColumn[] }) => {
    void settleAction(updatePreferencesAction(change)).then((r) => {
      if (!r.ok) toast({ kind: "error", title: "Could not remember this choice", description: r.error });
    });
  };

  const refreshRows = useCallback(() => startTransition(() => router.refresh()), [router]);

  const columns = useMemo(() => tenantColumns(), []);
  const meta: ColumnContext = useMemo(() => ({ renderedAt, caps, handlers }), [renderedAt, caps, handlers]);
  const columnVisibility: VisibilityState = useMemo(() => Object.fromEntries(hidden.map((c) => [c, false])), [hidden]);
  const sorting: SortingState = [{ id: params.sort, desc: params.dir === "desc" }];
  const pagination: PaginationState = { pageIndex: params.page - 1, pageSize: params.pageSize };

  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack returns a mutable table instance; the compiler skips this component, which is fine
  const table = useReactTable({
    data: items,
    columns,
    meta,
    // The total streams in later; whether a next page exists is known from the page itself.
    pageCount: hasMore ? params.page + 1 : params.page,
    getRowId: (row) => row.id,
    getCoreRowModel: getCoreRowModel(),
    manualPagination: true,
    manualSorting: true,
    manualFiltering: true,
    enableRowSelection: true,
    enableSortingRemoval: false,
    getRowCanExpand: () => true,
    state: { sorting, pagination, columnVisibility, rowSelection: selection, expanded },
    onSortingChange: (updater) => {
      const next = applyUpdater(updater, sorting)[0];
      const sort = next && (tenantSortColumns as readonly string[]).includes(next.id) ? (next.id as TenantSortColumn) : DEFAULT_SORT;
      navigate({ sort, dir: next?.desc ? "desc" : "asc" });
    },
    onPaginationChange: (updater) => {
      const next = applyUpdater(updater, pagination);
      navigate({ page: next.pageSize !== pagination.pageSize ? 1 : next.pageIndex + 1, pageSize: next.pageSize });
    },
    onColumnVisibilityChange: (updater) => {
      const next = applyUpdater(updater, columnVisibility);
      const hide = hideableColumns.filter((c) => next[c] === false);
      setHidden(hide);
      replaceUrl(selectedIds, hide);
      remember({ hiddenColumns: hide });
    },
    onRowSelectionChange: (updater) => {
      const next = applyUpdater(updater, selection);
      const sel = Object.keys(next).filter((id) => next[id]);
      setSelection(Object.fromEntries(sel.map((id) => [id, true])));
      replaceUrl(sel, hidden);
    },
    onExpandedChange: setExpanded,
  });

  const changeDensity = (next: Density) => {
    setDensity(next);
    remember({ density: next });
  };

  const clearSelection = () => {
    setSelection({});
    replaceUrl([], hidden);
  };

  const startRun = async (tenantIds?: string[]) => {
    setStarting(tenantIds ? "selected" : "all");
    if (!tenantIds) keepFocus(verifyAllButton.current);
    try {
      const result = await settleAction(startVerificationRunAction({ tenantIds }));
      if (!result.ok) {
        toast({ kind: "error", title: "Could not start verification", description: result.error });
        return;
      }
      setRun(result.data.progress);
      if (refocusTo.current) {
        refocusTo.current = null;
        setFocusPanel(result.data.progress.id);
      }
      if (result.data.joined)
        toast({
          kind: "info",
          title: "A verification run is already in progress",
          description: `Started by ${result.data.progress.requestedBy}; showing its progress.`,
        });
    } finally {
      setStarting(null);
    }
  };

  const update = () => {
    keepFocus(updateButton.current);
    startUpdate(async () => {
      router.refresh();
      const active = await settleAction(getRunProgressAction({}));
      if (active.ok && active.data && active.data.status === "RUNNING" && active.data.id !== run?.id) setRun(active.data);
      toast({ kind: "info", title: "Table updated", description: "Showing the latest tenants and statuses." });
    });
  };

  const reloadAll = async () => {
    setStarting("reload");
    keepFocus(reloadAllButton.current);
    try {
      const result = await settleAction(reloadAllAction());
      if (!result.ok) toast({ kind: "error", title: "Could not reload", description: result.error });
      else {
        if (refocusTo.current) {
          refocusTo.current = null;
          setFocusPanel(result.data.job.id);
        }
        setReloadJob(result.data.job);
      }
    } finally {
      setStarting(null);
    }
  };

  /** The panel reports the job's end, so Reload All is usable again at once (not only after Dismiss). */
  const reloadFinished = useCallback(
    (job: ReloadJobView) => {
      setReloadJob(job);
      refreshRows();
    },
    [refreshRows],
  );

  const filtered = Boolean(
    params.q || params.status.length || params.method.length || params.cloud.length || params.reason.length || params.app || params.tag.length,
  );
  const exportQuery = tenantListQuery({ ...params, page: undefined, pageSize: undefined, hide: [], sel: [] });
  const runActive = run?.status === "RUNNING";

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Authentication Status</h1>
          <p className="text-sm text-slate-600">Which customer tenants the console can reach, which not, why, and what to do next.</p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Tooltip content={tooltips.update}>
            <Button ref={updateButton} onClick={update} pending={updating}>
              Update
            </Button>
          </Tooltip>
          {caps.verify && (
            <>
              <Tooltip content={tooltips.verifyAll}>
                <Button
                  ref={verifyAllButton}
                  variant="primary"
                  onClick={() =>
                    runActive ? toast({ kind: "info", title: "Verification in progress", description: "Its progress is shown below." }) : startRun()
                  }
                  pending={starting === "all"}
                >
                  Verify All
                </Button>
              </Tooltip>
              <Tooltip content={tooltips.reloadAll}>
                <Button ref={reloadAllButton} onClick={reloadAll} pending={starting === "reload" || reloadJob?.status === "RUNNING"}>
                  Reload All
                </Button>
              </Tooltip>
            </>
          )}
          {caps.manage && (
            <>
              <Button onClick={() => addTenant()}>Add tenant</Button>
              <Link href="/tenants/import" className={buttonClass("secondary")}>
                Import CSV
              </Link>
            </>
          )}
          <Tooltip content="Downloads the tenants of the current view (search and filters applied) as CSV.">
            <a href={`/tenants/export${exportQuery}`} download className={buttonClass("secondary")}>
              Export CSV
            </a>
          </Tooltip>
        </div>
      </div>

      {run && (
        <RunProgressPanel
          key={run.id}
          initial={run}
          canCancel={caps.verify}
          focusOnMount={focusPanel === run.id}
          onRowsChanged={refreshRows}
          onDismiss={() => {
            setRun(null);
            (verifyAllButton.current ?? updateButton.current)?.focus();
          }}
        />
      )}
      {reloadJob && (
        <ReloadProgress
          key={reloadJob.id}
          initial={reloadJob}
          focusOnMount={focusPanel === reloadJob.id}
          onFinished={reloadFinished}
          onDismiss={() => {
            setReloadJob(null);
            (reloadAllButton.current ?? updateButton.current)?.focus();
          }}
        />
      )}

      {counts ? <SummaryCounts counts={counts} active={params.status} onSelect={(status) => navigate({ status })} /> : <SummaryCountsSkeleton />}

      <FailureGroups params={params} renderedAt={renderedAt} caps={caps} onRunStarted={setRun} />

      <TenantsToolbar
        table={table}
        views={views}
        tags={tags}
        params={params}
        onChange={navigate}
        canManage={caps.manage}
        selectedIds={selectedIds}
        canVerify={caps.verify}
        verifyingSelected={starting === "selected"}
        onVerifySelected={() => startRun(selectedIds)}
        onClearSelection={clearSelection}
        density={density}
        onDensityChange={changeDensity}
      />

      <DataTable
        table={table}
        caption="Customer tenants and their last verification"
        pending={pending}
        density={density}
        renderExpanded={(row) => <StatusDetails tenant={row.original} />}
        empty={
          filtered ? (
            <div className="text-center">
              <p className="font-medium text-slate-900">No tenants match this view</p>
              <p className="mt-1 text-sm text-slate-600">Change the search or filters, or clear them to see every tenant.</p>
              <Button className="mt-3" onClick={() => navigate({ q: undefined, status: [], method: [], cloud: [], reason: [], app: undefined, tag: [] })}>
                Clear filters
              </Button>
            </div>
          ) : (
            <div className="text-center">
              <p className="font-medium text-slate-900">No tenants yet</p>
              <p className="mt-1 text-sm text-slate-600">
                {caps.manage
                  ? "Add your first customer tenant, or import many at once from a CSV file."
                  : "An administrator adds customer tenants here; ask one to add or import them."}
              </p>
              {caps.manage && (
                <div className="mt-3 flex justify-center gap-2">
                  <Button variant="primary" onClick={() => addTenant()}>
                    Add your first tenant
                  </Button>
                  <Link href="/tenants/import" className={buttonClass("secondary")}>
                    Import tenants from a CSV file
                  </Link>
                </div>
              )}
            </div>
          )
        }
      />
      <DataTablePagination table={table} total={counts ? totalOf(counts, params.status) : null} pageSizes={pageSizes} selectedCount={selectedIds.length} />

      {dialogs}
    </div>
  );
}

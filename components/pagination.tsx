import Link from "next/link";
import { pageCount } from "@/lib/pagination";

/** Server-rendered pager: plain links, so it works without JavaScript and keeps the page in the URL. */
export function Pagination({
  basePath,
  page,
  pageSize,
  total,
  params = {},
}: {
  basePath: string;
  page: number;
  pageSize: number;
  total: number;
  params?: Record<string, string>;
}) {
  const pages = pageCount(total, pageSize);
  const href = (p: number) => `${basePath}?${new URLSearchParams({ ...params, page: String(p), pageSize: String(pageSize) })}`;
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  const linkClass = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50";
  const disabledClass = "rounded-md border border-slate-200 px-3 py-1.5 text-sm text-slate-400";
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between gap-4 py-3">
      <p className="text-sm text-slate-600">
        {total === 0 ? (
          "No results"
        ) : (
          <>
            Showing <span className="font-medium">{first}</span>–<span className="font-medium">{last}</span> of{" "}
            <span className="font-medium">{total.toLocaleString("en-US")}</span>
          </>
        )}
      </p>
      <div className="flex gap-2">
        {page > 1 ? (
          <Link className={linkClass} href={href(page - 1)} rel="prev">
            Previous
          </Link>
        ) : (
          <span className={disabledClass} aria-disabled="true">
            Previous
          </span>
        )}
        <span className="px-2 py-1.5 text-sm text-slate-600">
          Page {page} of {pages}
        </span>
        {page < pages ? (
          <Link className={linkClass} href={href(page + 1)} rel="next">
            Next
          </Link>
        ) : (
          <span className={disabledClass} aria-disabled="true">
            Next
          </span>
        )}
      </div>
    </nav>
  );
}

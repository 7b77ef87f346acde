"use client";

import { Skeleton } from "@/components/ui/skeleton";

/**
 * The Tenants page's shape while its data loads: same heights as the real page, so nothing jumps, and
 * like it no wider than a phone's screen.
 * A client component, so the server sends it once, as HTML, instead of also as flight data on every render.
 */
export function TenantsSkeleton() {
  return (
    <div className="space-y-4" aria-busy="true" aria-label="Loading tenants">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="w-full max-w-96">
          <h1 className="text-2xl font-semibold tracking-tight">Authentication Status</h1>
          <Skeleton className="mt-1.5 h-4 w-full" />
        </div>
        <div className="flex flex-wrap gap-2">
          {Array.from({ length: 4 }, (_, i) => (
            <Skeleton key={i} className="h-9 w-24" />
          ))}
        </div>
      </div>
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5">
        {Array.from({ length: 5 }, (_, i) => (
          <Skeleton key={i} className="h-[90px] rounded-xl" />
        ))}
      </div>
      <div className="flex flex-wrap gap-2">
        <Skeleton className="h-9 w-full sm:w-80" />
        <Skeleton className="h-9 w-20" />
        <Skeleton className="h-9 w-20" />
        <Skeleton className="h-9 w-20" />
      </div>
      <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
        <div className="h-10 border-b border-slate-200 bg-slate-50" />
        <div className="skel-rows" />
      </div>
    </div>
  );
}

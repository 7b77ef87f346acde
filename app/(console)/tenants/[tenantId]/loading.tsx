import { Skeleton } from "@/components/ui/skeleton";

/**
 * A tenant's page while it loads (without this, the Tenants list's skeleton would stand in for it): the
 * breadcrumb, the name and status, and the sections, no wider than a phone's screen.
 */
export default function TenantLoading() {
  return (
    <div className="space-y-4" aria-busy="true" aria-label="Loading the tenant">
      <Skeleton className="h-4 w-48 max-w-full" />
      <Skeleton className="h-8 w-72 max-w-full" />
      <Skeleton className="h-36 w-full rounded-xl" />
      <Skeleton className="h-52 w-full rounded-xl" />
      <Skeleton className="h-40 w-full rounded-xl" />
    </div>
  );
}

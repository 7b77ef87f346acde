import { TenantsSkeleton } from "./tenants-skeleton";

export default function TenantsLoading() {
  return <TenantsSkeleton />;
}

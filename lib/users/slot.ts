/** The job engine slot of one tenant's own user sync: runs for different tenants proceed side by side. */
export function userSyncSlot(tenantId: string) {
  return `user-sync:${tenantId}`;
}

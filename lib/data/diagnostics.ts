import "server-only";
import { db } from "@/lib/db";
import { explainStatus } from "@/lib/methods";
import { latestVerification } from "./tenants";

/**
 * What the Fix "Download diagnostics" hands the customer's admin or Microsoft support: who the tenant
 * is, the last verification's reason and Microsoft's identifiers (trace ID, correlation ID, timestamp,
 * error codes). Built from stored metadata only: no credential, token or secret is read.
 */
export async function tenantDiagnostics(tenantId: string) {
  const tenant = await db.tenant.findUnique({
    where: { id: tenantId },
    select: {
      customerId: true,
      displayName: true,
      entraTenantId: true,
      primaryDomain: true,
      authMethod: true,
      cloud: true,
      lastStatus: true,
      lastStatusCode: true,
      lastVerifiedAt: true,
    },
  });
  if (!tenant) return null;
  const latest = await latestVerification(tenantId);
  const reason = explainStatus(tenant.authMethod, latest?.reasonCode ?? tenant.lastStatusCode);
  return {
    generatedAt: new Date().toISOString(),
    tenant: {
      customerId: tenant.customerId,
      displayName: tenant.displayName,
      entraTenantId: tenant.entraTenantId,
      primaryDomain: tenant.primaryDomain,
      authenticationMethod: tenant.authMethod,
      cloud: tenant.cloud,
      status: tenant.lastStatus,
      lastVerifiedAt: tenant.lastVerifiedAt?.toISOString() ?? null,
    },
    lastVerification: latest
      ? {
          status: latest.status,
          reasonCode: latest.reasonCode,
          message: latest.message,
          explanation: reason?.explanation ?? null,
          whatToDo: reason?.remediation.text ?? null,
          startedAt: latest.startedAt.toISOString(),
          finishedAt: latest.finishedAt.toISOString(),
          microsoft: latest.details.diagnostics ?? null,
          notes: latest.details.notes,
          permissions: latest.details.permissions ?? null,
          app: latest.details.app ? { clientId: latest.details.app.clientId, kind: latest.details.app.kind } : null,
        }
      : null,
  };
}

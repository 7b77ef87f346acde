"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { Button, buttonClass } from "@/components/ui/button";
import { ToastProvider } from "@/components/ui/toast";
import type { TenantListItem } from "@/lib/data/tenants";
import type { RemediationAction } from "@/lib/entra/reasons";
import { preferredMethod, switchTargets } from "@/lib/methods";
import { useTenantActions } from "../use-tenant-actions";

type Caps = { verify: boolean; manage: boolean };

/** Toasts for everything on the tenant page; the page's server-rendered sections pass through as children. */
export function TenantPageShell({ children }: { children: React.ReactNode }) {
  return <ToastProvider>{children}</ToastProvider>;
}

/** The tenant's actions, plus the one button that carries out the remediation of its current status. */
export function TenantActions({ tenant, caps, remediation }: { tenant: TenantListItem; caps: Caps; remediation: RemediationAction | null }) {
  const router = useRouter();
  const { handlers, dialogs } = useTenantActions({ onDeleted: () => router.push("/tenants") });
  const fix = remediationButton(remediation, tenant, caps, handlers);
  return (
    <div className="flex flex-wrap items-center gap-2">
      {fix}
      {caps.verify && (
        <Button variant={fix ? "secondary" : "primary"} onClick={() => handlers.verify(tenant)} pending={handlers.isVerifying(tenant.id)}>
          Verify
        </Button>
      )}
      {caps.verify && <Button onClick={() => handlers.copyConsentLink(tenant)}>Copy consent link</Button>}
      {caps.manage && (
        <>
          {switchTargets
            .filter((m) => m.id !== tenant.authMethod)
            .map((m) => (
              <Button key={m.id} onClick={() => handlers.switchMethod(tenant, m.id)}>
                {m.switchTo?.label}
              </Button>
            ))}
          <Button onClick={() => handlers.edit(tenant)}>Edit</Button>
          <Button variant="ghost" className="text-red-700" onClick={() => handlers.removeAuthorization(tenant)}>
            Remove authorization
          </Button>
          <Button variant="ghost" className="text-red-700" onClick={() => handlers.remove(tenant)}>
            Delete
          </Button>
        </>
      )}
      {dialogs}
    </div>
  );
}

function remediationButton(action: RemediationAction | null, tenant: TenantListItem, caps: Caps, handlers: ReturnType<typeof useTenantActions>["handlers"]) {
  switch (action) {
    case "send_consent_link":
    case "reauthorize":
      return caps.verify ? (
        <Button variant="primary" onClick={() => handlers.copyConsentLink(tenant)}>
          Fix: copy consent link
        </Button>
      ) : null;
    case "switch_method":
      return caps.manage && tenant.authMethod !== preferredMethod.id ? (
        <Button variant="primary" onClick={() => handlers.switchMethod(tenant, preferredMethod.id)}>
          Fix: {preferredMethod.switchTo?.label.toLowerCase()}
        </Button>
      ) : null;
    case "check_tenant_id":
    case "switch_cloud":
    case "check_user":
      return caps.manage ? (
        <Button variant="primary" onClick={() => handlers.edit(tenant)}>
          Fix: edit tenant
        </Button>
      ) : null;
    case "configure_provider":
      return caps.manage ? (
        <Link href="/settings/provider" className={buttonClass("primary")}>
          Fix: open app registrations
        </Link>
      ) : null;
    case "add_app_registration":
      return caps.manage ? (
        <Link href={`/settings/provider/new?cloud=${tenant.cloud}`} className={buttonClass("primary")}>
          Fix: add an app registration
        </Link>
      ) : null;
    case "enter_tenant_app_credentials":
      return caps.manage ? (
        <Link href={`/tenants/${tenant.id}?credentials=edit#credentials`} className={buttonClass("primary")}>
          Fix: enter the customer&apos;s new secret
        </Link>
      ) : null;
    case "retry":
    case "wait":
      return caps.verify ? (
        <Button variant="primary" onClick={() => handlers.verify(tenant)} pending={handlers.isVerifying(tenant.id)}>
          Fix: verify again
        </Button>
      ) : null;
    default:
      return null;
  }
}

"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { Button, buttonClass } from "@/components/ui/button";
import { ToastProvider } from "@/components/ui/toast";
import type { TenantListItem } from "@/lib/data/tenants";
import { switchTargets } from "@/lib/methods";
import type { Fix } from "@/lib/methods/fixes";
import { useTenantActions } from "../use-tenant-actions";

type Caps = { verify: boolean; manage: boolean };

/** Toasts for everything on the tenant page; the page's server-rendered sections pass through as children. */
export function TenantPageShell({ children }: { children: React.ReactNode }) {
  return <ToastProvider>{children}</ToastProvider>;
}

/** The tenant's actions, plus the one button that carries out the remediation of its current status (lib/methods/fixes.ts). */
export function TenantActions({ tenant, caps, fix: next }: { tenant: TenantListItem; caps: Caps; fix: Fix | null }) {
  const router = useRouter();
  const { handlers, dialogs } = useTenantActions({ onDeleted: () => router.push("/tenants") });
  const fix = fixButton(next, tenant, caps, handlers);
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

function fixButton(fix: Fix | null, tenant: TenantListItem, caps: Caps, handlers: ReturnType<typeof useTenantActions>["handlers"]) {
  if (!fix) return null;
  const label = `Fix: ${fix.label[0]!.toLowerCase()}${fix.label.slice(1)}`;
  switch (fix.kind) {
    case "consent_link":
      return caps.verify ? (
        <Button variant="primary" onClick={() => handlers.copyConsentLink(tenant)}>
          {label}
        </Button>
      ) : null;
    case "switch_method":
      return caps.manage ? (
        <Button variant="primary" onClick={() => handlers.switchMethod(tenant, fix.to, { thenConsentLink: true })}>
          {label}
        </Button>
      ) : null;
    case "edit_tenant":
      return caps.manage ? (
        <Button variant="primary" onClick={() => handlers.edit(tenant)}>
          {label}
        </Button>
      ) : null;
    case "verify":
      return caps.verify ? (
        <Button variant="primary" onClick={() => handlers.verify(tenant)} pending={handlers.isVerifying(tenant.id)}>
          {label}
        </Button>
      ) : null;
    case "diagnostics":
      return (
        <a href={fix.href} download className={buttonClass("primary")}>
          {label}
        </a>
      );
    case "enter_password":
    case "tenant_credentials":
    case "app_registration":
    case "add_app_registration":
      return caps.manage ? (
        <Link href={fix.href} className={buttonClass("primary")}>
          {label}
        </Link>
      ) : null;
  }
}

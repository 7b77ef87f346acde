"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { createContext, useContext } from "react";
import { Button, buttonClass } from "@/components/ui/button";
import { ToastProvider } from "@/components/ui/toast";
import type { TenantListItem } from "@/lib/data/tenants";
import { switchTargets } from "@/lib/methods";
import type { Fix } from "@/lib/methods/fixes";
import { useTenantActions } from "../use-tenant-actions";

type Caps = { verify: boolean; manage: boolean };
type Handlers = ReturnType<typeof useTenantActions>["handlers"];
type TenantActionsContext = { tenant: TenantListItem; caps: Caps; handlers: Handlers };

const Context = createContext<TenantActionsContext | null>(null);

/** The tenant's actions for the pieces of its page: each offered once, in the section it belongs to. */
export function useTenantPageActions(): TenantActionsContext {
  const ctx = useContext(Context);
  if (!ctx) throw new Error("useTenantPageActions outside TenantPageShell");
  return ctx;
}

/**
 * Toasts and the shared action handlers (and their dialogs) for everything on the tenant page; the page's
 * server-rendered sections pass through as children and place their own buttons.
 */
export function TenantPageShell({ tenant, caps, children }: { tenant: TenantListItem; caps: Caps; children: React.ReactNode }) {
  return (
    <ToastProvider>
      <ShellWithActions tenant={tenant} caps={caps}>
        {children}
      </ShellWithActions>
    </ToastProvider>
  );
}

function ShellWithActions({ tenant, caps, children }: { tenant: TenantListItem; caps: Caps; children: React.ReactNode }) {
  const router = useRouter();
  const { handlers, dialogs } = useTenantActions({ onDeleted: () => router.push("/tenants") });
  return (
    <Context.Provider value={{ tenant, caps, handlers }}>
      {children}
      {dialogs}
    </Context.Provider>
  );
}

/** The page's own actions, beside its title: Edit and Delete. */
export function TenantHeaderActions() {
  const { tenant, caps, handlers } = useTenantPageActions();
  if (!caps.manage) return null;
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button onClick={() => handlers.edit(tenant)}>Edit</Button>
      <Button variant="ghost" className="text-red-700" onClick={() => handlers.remove(tenant)}>
        Delete
      </Button>
    </div>
  );
}

/**
 * Under the status: the one button that carries out the remediation of the current status
 * (lib/methods/fixes.ts), a shortcut to the control of its own section, and Verify. When the fix is to
 * verify again, Verify is that button.
 */
export function TenantStatusActions({ fix: next }: { fix: Fix | null }) {
  const { tenant, caps, handlers } = useTenantPageActions();
  const fix = next?.kind === "verify" ? null : fixButton(next, tenant, caps, handlers);
  if (!fix && !caps.verify) return null;
  return (
    <div className="flex flex-wrap items-center gap-2">
      {fix}
      {caps.verify && (
        <Button variant={fix ? "secondary" : "primary"} onClick={() => handlers.verify(tenant)} pending={handlers.isVerifying(tenant.id)}>
          Verify
        </Button>
      )}
    </div>
  );
}

/** Beside the authentication method: switching to another one. */
export function MethodActions() {
  const { tenant, caps, handlers } = useTenantPageActions();
  if (!caps.manage) return null;
  return (
    <div className="mt-4 flex flex-wrap gap-2">
      {switchTargets
        .filter((m) => m.id !== tenant.authMethod)
        .map((m) => (
          <Button key={m.id} onClick={() => handlers.switchMethod(tenant, m.id)}>
            {m.switchTo?.label}
          </Button>
        ))}
    </div>
  );
}

function fixButton(fix: Fix | null, tenant: TenantListItem, caps: Caps, handlers: Handlers) {
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
      return null;
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

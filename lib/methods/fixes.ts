import type { RemediationAction } from "@/lib/entra/reasons";
import type { Remediation } from "./method";
import { methodById, preferredMethod, type MethodId } from "./index";

/**
 * The one in-place action that carries out a remediation (issue 16, item 5): what the Fix button on the
 * tenant page does, and where it leads. Pure, so the same answer is shown everywhere and one test walks
 * every reason × method (fixes.test.ts).
 */
export type Fix =
  /** Create a consent link and copy it (the tenant page's copyConsentLink). */
  | { kind: "consent_link"; label: string }
  /** Switch the method (confirmed), then continue with the new method's next step: its consent link. */
  | { kind: "switch_method"; label: string; to: MethodId; then: "consent_link" }
  /** Open the legacy username and password dialog of the tenant page's Authorization section. */
  | { kind: "enter_password"; label: string; href: string }
  /** Open the Credentials panel's editor for the customer's own app registration. */
  | { kind: "tenant_credentials"; label: string; href: string }
  /** Open the MSP app registration the tenant uses (Apply a new secret or certificate, hosts). */
  | { kind: "app_registration"; label: string; href: string }
  /** Add an app registration for the tenant's cloud. */
  | { kind: "add_app_registration"; label: string; href: string }
  /** Open the tenant's edit form (tenant ID, domain, cloud, admin email). */
  | { kind: "edit_tenant"; label: string }
  /** Verify now (a transient reason, or a wait that is over). */
  | { kind: "verify"; label: string }
  /** Download the last verification's diagnostics (trace and correlation IDs, codes) for the customer or Microsoft support. */
  | { kind: "diagnostics"; label: string; href: string };

export type FixContext = {
  tenantId: string;
  method: MethodId;
  /** The MSP app registration the tenant uses (lib/provider/resolve.ts), null when none. */
  registrationId: string | null;
  cloud: string;
  /** The tenant signs in with the customer's own app registration. */
  ownApp: boolean;
};

export const fixHrefs = {
  password: (tenantId: string) => `/tenants/${tenantId}?password=edit#authorization`,
  tenantCredentials: (tenantId: string) => `/tenants/${tenantId}?credentials=edit#credentials`,
  registration: (id: string) => `/settings/provider/${id}`,
  newRegistration: (cloud: string) => `/settings/provider/new?cloud=${cloud}`,
  diagnostics: (tenantId: string) => `/tenants/${tenantId}/diagnostics`,
};

const consent = (ctx: FixContext): Fix => ({
  kind: "consent_link",
  label:
    ctx.method === "APP_REGISTRATION"
      ? "Copy consent link"
      : ctx.method === "PASSWORD"
        ? "Copy consent link (moves to auth token)"
        : "Copy re-authorization link",
});

/** The app the tenant signs in as: the customer's own (its Credentials panel) or the MSP's registration. */
function appCredential(ctx: FixContext, what: "secret" | "certificate" | "settings"): Fix {
  if (ctx.ownApp)
    return {
      kind: "tenant_credentials",
      label: `Enter the customer's new ${what === "certificate" ? "certificate" : "secret"}`,
      href: fixHrefs.tenantCredentials(ctx.tenantId),
    };
  if (!ctx.registrationId) return { kind: "add_app_registration", label: "Add an app registration", href: fixHrefs.newRegistration(ctx.cloud) };
  const label = what === "settings" ? "Open the app registration" : `Apply a new ${what}`;
  return { kind: "app_registration", label, href: fixHrefs.registration(ctx.registrationId) };
}

export function fixFor(remediation: Remediation, ctx: FixContext): Fix | null {
  const action: RemediationAction = remediation.action;
  switch (action) {
    case "none":
      return null;
    case "send_consent_link":
    case "reauthorize":
      return consent(ctx);
    case "switch_method": {
      const to = remediation.switchTo ?? preferredMethod.id;
      if (to === ctx.method) return consent(ctx);
      const target = methodById(to);
      return { kind: "switch_method", label: `${target.switchTo?.label ?? `Switch to ${target.label}`} and send the consent link`, to, then: "consent_link" };
    }
    case "enter_password":
    case "check_credentials":
      return ctx.method === "PASSWORD"
        ? { kind: "enter_password", label: "Enter the username and password", href: fixHrefs.password(ctx.tenantId) }
        : consent(ctx);
    case "rotate_secret":
      return appCredential(ctx, "secret");
    case "rotate_certificate":
      return appCredential(ctx, "certificate");
    case "configure_provider":
      return appCredential(ctx, "settings");
    case "enter_tenant_app_credentials":
      return { kind: "tenant_credentials", label: "Enter the customer's app credentials", href: fixHrefs.tenantCredentials(ctx.tenantId) };
    case "add_app_registration":
      return { kind: "add_app_registration", label: "Add an app registration", href: fixHrefs.newRegistration(ctx.cloud) };
    case "check_tenant_id":
    case "switch_cloud":
    case "check_user":
      return { kind: "edit_tenant", label: action === "switch_cloud" ? "Change the tenant's cloud" : "Edit the tenant" };
    case "restore_encryption_key":
      // The key is an operator's job; the console's own fix is storing the credential again.
      if (ctx.method === "PASSWORD") return { kind: "enter_password", label: "Enter the username and password again", href: fixHrefs.password(ctx.tenantId) };
      if (ctx.method === "AUTH_TOKEN") return consent(ctx);
      return appCredential(ctx, "secret");
    case "wait":
    case "retry":
      return { kind: "verify", label: "Verify again" };
    case "check_conditional_access":
    case "contact_support":
      return { kind: "diagnostics", label: "Download diagnostics", href: fixHrefs.diagnostics(ctx.tenantId) };
  }
}

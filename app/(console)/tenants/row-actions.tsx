"use client";

import { Spinner } from "@/components/ui/button";
import { Menu, MenuItem, MenuSeparator } from "@/components/ui/menu";
import type { TenantListItem } from "@/lib/data/tenants";
import { switchTargets, type MethodId } from "@/lib/methods";

export type RowActionHandlers = {
  verify: (t: TenantListItem) => void;
  copyConsentLink: (t: TenantListItem) => void;
  /** `thenConsentLink`: once switched, continue with the new method's next step (its consent link). */
  switchMethod: (t: TenantListItem, method: MethodId, options?: { thenConsentLink?: boolean }) => void;
  removeAuthorization: (t: TenantListItem) => void;
  edit: (t: TenantListItem) => void;
  remove: (t: TenantListItem) => void;
  isVerifying: (id: string) => boolean;
};

/**
 * Verify in the row, everything else in its menu; entries the admin's role cannot use are not shown. Both
 * buttons are styled by `.dt-act` (app/globals.css) rather than classes: this is repeated on every row.
 */
export function RowActions({ tenant, caps, handlers }: { tenant: TenantListItem; caps: { verify: boolean; manage: boolean }; handlers: RowActionHandlers }) {
  return (
    <>
      {caps.verify && <VerifyButton tenant={tenant} handlers={handlers} />}
      <Menu label={`Actions for ${tenant.customerId}`} trigger="⋯">
        {(close) => (
          <>
            <MenuItem href={`/tenants/${tenant.id}`}>Open</MenuItem>
            {caps.verify && (
              <MenuItem
                onSelect={() => {
                  close();
                  handlers.copyConsentLink(tenant);
                }}
              >
                Copy consent link
              </MenuItem>
            )}
            {caps.manage && (
              <>
                <MenuSeparator />
                {switchTargets.map((m) => (
                  <MenuItem
                    key={m.id}
                    disabled={tenant.authMethod === m.id}
                    onSelect={() => {
                      close();
                      handlers.switchMethod(tenant, m.id);
                    }}
                  >
                    {m.switchTo?.label}
                  </MenuItem>
                ))}
                <MenuItem
                  danger
                  onSelect={() => {
                    close();
                    handlers.removeAuthorization(tenant);
                  }}
                >
                  Remove authorization
                </MenuItem>
                <MenuSeparator />
                <MenuItem
                  onSelect={() => {
                    close();
                    handlers.edit(tenant);
                  }}
                >
                  Edit tenant
                </MenuItem>
                <MenuItem
                  danger
                  onSelect={() => {
                    close();
                    handlers.remove(tenant);
                  }}
                >
                  Delete tenant
                </MenuItem>
              </>
            )}
          </>
        )}
      </Menu>
    </>
  );
}

function VerifyButton({ tenant, handlers }: { tenant: TenantListItem; handlers: RowActionHandlers }) {
  const pending = handlers.isVerifying(tenant.id);
  return (
    // No type attribute: outside any form a button submits nothing, and this is repeated on every row.
    <button onClick={() => handlers.verify(tenant)} disabled={pending} aria-busy={pending || undefined} aria-label={`Verify ${tenant.customerId}`}>
      {pending && <Spinner />}
      Verify
    </button>
  );
}

"use client";

import { Button, buttonClass } from "@/components/ui/button";
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

/** Verify in the row, everything else in its menu; entries the admin's role cannot use are not shown. */
export function RowActions({ tenant, caps, handlers }: { tenant: TenantListItem; caps: { verify: boolean; manage: boolean }; handlers: RowActionHandlers }) {
  return (
    <div className="dt-actions">
      {caps.verify && (
        <Button size="sm" onClick={() => handlers.verify(tenant)} pending={handlers.isVerifying(tenant.id)} aria-label={`Verify ${tenant.customerId}`}>
          Verify
        </Button>
      )}
      <Menu label={`Actions for ${tenant.customerId}`} trigger="⋯" triggerClassName={buttonClass("ghost", "icon")}>
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
    </div>
  );
}

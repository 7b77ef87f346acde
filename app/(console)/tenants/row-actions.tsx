"use client";

import { Button, buttonClass } from "@/components/ui/button";
import { Menu, MenuItem, MenuSeparator } from "@/components/ui/menu";
import type { TenantListItem } from "@/lib/data/tenants";

export type RowActionHandlers = {
  verify: (t: TenantListItem) => void;
  copyConsentLink: (t: TenantListItem) => void;
  switchMethod: (t: TenantListItem, method: "AUTH_TOKEN" | "APP_REGISTRATION") => void;
  removeAuthorization: (t: TenantListItem) => void;
  edit: (t: TenantListItem) => void;
  remove: (t: TenantListItem) => void;
  isVerifying: (id: string) => boolean;
};

/** Verify in the row, everything else in its menu; entries the admin's role cannot use are not shown. */
export function RowActions({ tenant, caps, handlers }: { tenant: TenantListItem; caps: { verify: boolean; manage: boolean }; handlers: RowActionHandlers }) {
  return (
    <div className="flex items-center justify-end gap-1.5">
      {caps.verify && (
        <Button size="sm" onClick={() => handlers.verify(tenant)} pending={handlers.isVerifying(tenant.id)} aria-label={`Verify ${tenant.customerId}`}>
          Verify
        </Button>
      )}
      <Menu label={`Actions for ${tenant.customerId}`} trigger={<span aria-hidden>⋯</span>} triggerClassName={buttonClass("ghost", "icon")}>
        {(close) => (
          <>
            <MenuItem href={`/tenants/${tenant.id}`}>Open</MenuItem>
            {caps.verify && (
              <MenuItem onSelect={() => { close(); handlers.copyConsentLink(tenant); }}>Copy consent link</MenuItem>
            )}
            {caps.manage && (
              <>
                <MenuSeparator />
                <MenuItem disabled={tenant.authMethod === "AUTH_TOKEN"} onSelect={() => { close(); handlers.switchMethod(tenant, "AUTH_TOKEN"); }}>
                  Switch to auth token
                </MenuItem>
                <MenuItem disabled={tenant.authMethod === "APP_REGISTRATION"} onSelect={() => { close(); handlers.switchMethod(tenant, "APP_REGISTRATION"); }}>
                  Switch to application registration
                </MenuItem>
                <MenuItem danger onSelect={() => { close(); handlers.removeAuthorization(tenant); }}>Remove authorization</MenuItem>
                <MenuSeparator />
                <MenuItem onSelect={() => { close(); handlers.edit(tenant); }}>Edit tenant</MenuItem>
                <MenuItem danger onSelect={() => { close(); handlers.remove(tenant); }}>Delete tenant</MenuItem>
              </>
            )}
          </>
        )}
      </Menu>
    </div>
  );
}

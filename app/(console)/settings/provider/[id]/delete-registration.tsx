"use client";

import { DeleteWithConfirmation } from "@/components/delete-with-confirmation";
import { deleteAppRegistrationAction } from "../actions";

/** Deletes a registration no tenant uses; the server says which tenants still do when it refuses. */
export function DeleteRegistration({ id, name, version }: { id: string; name: string; version: number }) {
  return (
    <DeleteWithConfirmation
      label="Delete registration"
      title={`Delete ${name}?`}
      description="Its client secrets and certificate are destroyed with it. Tenants never use a deleted registration: it can only be deleted while none does."
      run={() => deleteAppRegistrationAction({ id, version })}
      backTo="/settings/provider"
    />
  );
}

"use client";

import { DeleteWithConfirmation } from "@/components/delete-with-confirmation";
import { deleteChannelAction } from "./actions";

export function DeleteChannel({ id, name }: { id: string; name: string }) {
  return (
    <DeleteWithConfirmation
      label="Delete channel"
      title={`Delete ${name}?`}
      description="Its secrets and its delivery log are deleted with it; rules stop sending to it."
      run={() => deleteChannelAction({ id })}
      backTo="/settings/channels"
    />
  );
}

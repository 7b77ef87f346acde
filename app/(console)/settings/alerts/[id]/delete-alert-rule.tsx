"use client";

import { DeleteWithConfirmation } from "@/components/delete-with-confirmation";
import { deleteAlertRuleAction } from "../actions";

/** Deletes a rule after a confirmation. */
export function DeleteAlertRule({ id, name }: { id: string; name: string }) {
  return (
    <DeleteWithConfirmation
      label="Delete rule"
      title={`Delete ${name}?`}
      description="Its channels stop receiving the events it routes from now on. This cannot be undone."
      run={() => deleteAlertRuleAction({ id })}
      backTo="/settings/alerts"
    />
  );
}

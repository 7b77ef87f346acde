import "server-only";
import { actorOf, getSessionAdmin } from "@/lib/auth/session";
import { adaptersFor, currentRequestId, type ActionEnvironment } from "./action";

/**
 * Server actions over commands, for the signed-in admin. A "use server" file exports what these return:
 *
 *   export const deleteTenantAction = actionFor(deleteTenantCommand, { revalidate: "/tenants" });
 *
 * The admin is re-read from the session on every call (a server action is a public endpoint); the
 * command checks the role and parses the input.
 */

export const sessionEnvironment: ActionEnvironment = {
  requestId: currentRequestId,
  async caller() {
    const admin = await getSessionAdmin();
    return admin && { actor: actorOf(admin), role: admin.role, principalKind: "admin" };
  },
};

export const { actionFor, formActionFor } = adaptersFor(sessionEnvironment);

export { checked, formVersion, textFields } from "./action";
export type { FormOutcome, FormResult } from "@/lib/action-result";

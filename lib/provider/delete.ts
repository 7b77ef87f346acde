import "server-only";
import { db } from "@/lib/db";
import { CommandError } from "@/lib/errors";
import { cloudNames } from "@/lib/entra/clouds";
import { PROVIDER_ID } from "./row";

/**
 * Deletes an MSP app registration that no tenant uses. Refused for source 003's default registration
 * (its form is the Settings page itself), for one that tenants name (Tenant.appRegistrationId), and for
 * the default of a cloud that has tenants: deleting it would leave them without an app ("No app
 * registration for …"), so another registration must take over first. Its secrets go with the row.
 */
export async function deleteAppRegistration(input: { id: string; expectedVersion: number }) {
  if (input.id === PROVIDER_ID)
    throw new CommandError("conflict", "The default app registration cannot be deleted; change its settings or make another registration its cloud's default.");
  return db.$transaction(async (tx) => {
    const row = await tx.appRegistration.findUnique({ where: { id: input.id }, select: { id: true, name: true, version: true, defaultForCloud: true } });
    if (!row) throw new CommandError("not-found", "This app registration no longer exists.");
    if (row.version !== input.expectedVersion)
      throw new CommandError("version-conflict", "Another administrator changed this app registration meanwhile. Reload it and try again.");
    const chosenBy = await tx.tenant.count({ where: { appRegistrationId: row.id } });
    if (chosenBy > 0)
      throw new CommandError(
        "conflict",
        `${chosenBy} tenant${chosenBy === 1 ? " uses" : "s use"} ${row.name} by choice. Choose another registration for them first.`,
      );
    if (row.defaultForCloud) {
      const inCloud = await tx.tenant.count({ where: { cloud: row.defaultForCloud, appRegistrationId: null } });
      if (inCloud > 0)
        throw new CommandError(
          "conflict",
          `${row.name} is the default for ${cloudNames[row.defaultForCloud]}, where ${inCloud} tenant${inCloud === 1 ? "" : "s"} would be left without an app registration. Make another registration the default first.`,
        );
    }
    await tx.appRegistration.delete({ where: { id: row.id } });
    return { id: row.id, name: row.name };
  });
}

import { z } from "zod";

/** Identifiers and secrets shared by the app registration forms, the tenant's Credentials panel, the REST API and CSV import (no server-only imports: forms read them too). */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const guidSchema = z.string().trim().toLowerCase().regex(GUID, "Must be a GUID such as 02990467-5131-4a63-9a88-b578f38d89ab");

/**
 * A client secret's Value. Entra shows a new secret's Value and its Secret ID side by side, and the ID (a
 * GUID) is the one people paste by mistake (source 004's troubleshooting: "the secret value (not the ID)").
 * A GUID is never a secret Value, so it is refused with that sentence.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/how-to-add-credentials
 */
export const SECRET_ID_PASTED = "This is the secret's ID (a GUID), not its Value: copy the Value column shown when the secret was created.";
export const secretValueSchema = z
  .string()
  .trim()
  .max(1024, "At most 1024 characters")
  .refine((v) => !GUID.test(v), SECRET_ID_PASTED);

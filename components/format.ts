export { cloudNames as cloudLabels } from "@/lib/entra/clouds";

export const statusLabels = { NEVER: "Not verified", VERIFIED: "Verified", WARNING: "Warning", FAILED: "Failed" } as const;

export function formatDateTime(value: Date | string | null | undefined) {
  if (!value) return "—";
  return new Date(value).toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

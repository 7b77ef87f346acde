export const cloudLabels = {
  GLOBAL: "Global",
  USGOV: "US Government",
  USGOV_DOD: "US Government DoD",
  CHINA: "China (21Vianet)",
  CUSTOM: "Custom",
} as const;

export const statusLabels = { NEVER: "Not verified", VERIFIED: "Verified", WARNING: "Warning", FAILED: "Failed" } as const;

export function formatDateTime(value: Date | string | null | undefined) {
  if (!value) return "—";
  return new Date(value).toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

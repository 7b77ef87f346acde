export { cloudNames as cloudLabels } from "@/lib/entra/clouds";

export const statusLabels = { NEVER: "Not verified", VERIFIED: "Verified", WARNING: "Warning", FAILED: "Failed" } as const;

/**
 * A length of time for people: "45 s", "12 min", "2 h 14 min", "3 d 4 h". Two units at most, the larger
 * first; seconds only under a minute.
 */
export function formatDuration(seconds: number | null | undefined) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

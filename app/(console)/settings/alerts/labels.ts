import type { Severity } from "@/lib/notify/events";

export const severityLabels: Record<Severity, string> = { info: "Info", warning: "Warning", critical: "Critical" };

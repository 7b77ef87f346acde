"use client";

import { ErrorPanel } from "@/components/error-panel";

/** A console page failed: the sidebar and header (the layout above) stay, the page is replaced. */
export default function ConsoleError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorPanel error={error} retry={retry} home={{ href: "/tenants", label: "Back to tenants" }} />;
}

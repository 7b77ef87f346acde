import type { Metadata } from "next";
import { connection } from "next/server";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Tenant Access Console", template: "%s · Tenant Access Console" },
  description: "Keep the service provider's access to every customer Microsoft 365 tenant working.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page renders per request, so that its scripts carry that response's CSP nonce (proxy.ts);
  // a page prerendered at build time would have none, and the policy would block its scripts.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">{children}</body>
    </html>
  );
}

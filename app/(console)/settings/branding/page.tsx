import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth/session";
import { getBranding } from "@/lib/campaigns/branding";
import { permits } from "@/lib/commands/command";
import { updateBrandingCommand } from "@/lib/commands/branding";
import { env } from "@/lib/env";
import { BrandingForm } from "./branding-form";

export const metadata: Metadata = { title: "Branding · Settings" };

/** Every role sees what customers see; administrators change it. */
export default async function BrandingPage() {
  const admin = await requireAdmin();
  return <BrandingForm branding={await getBranding()} canEdit={permits(admin.role, updateBrandingCommand)} appUrl={env.APP_URL.replace(/\/+$/, "")} />;
}

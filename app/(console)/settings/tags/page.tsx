import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth/session";
import { permits } from "@/lib/commands/command";
import { createTagCommand } from "@/lib/commands/tags";
import { listTagsWithCounts } from "@/lib/data/tags";
import { TagsView } from "./tags-view";

export const metadata: Metadata = { title: "Tags · Settings" };

/** Every role sees the tags and their tenant counts; administrators create, rename, recolour and delete them. */
export default async function TagsPage() {
  const admin = await requireAdmin();
  return <TagsView tags={await listTagsWithCounts()} canEdit={permits(admin.role, createTagCommand)} />;
}

import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth/session";
import { permits } from "@/lib/commands/command";
import { updateTenantCommand, verifyTenantCommand } from "@/lib/commands/tenants";
import { getPreferences } from "@/lib/data/preferences";
import { listSavedViews } from "@/lib/data/saved-views";
import { listTags } from "@/lib/data/tags";
import { listTenantPage } from "@/lib/data/tenants";
import { packTenantRows } from "@/lib/tenants/list-rows";
import { activeReloadJob } from "@/lib/tenants/reload-all";
import { tenantListParamsSchema } from "@/lib/validations/tenant";
import { getActiveRun, getRunProgress } from "@/lib/verification";
import { TenantsView } from "./tenants-view";

export const metadata: Metadata = { title: "Authentication Status" };

/**
 * The Authentication Status page. The URL is the view: filters, sort, page, hidden columns and the
 * selection are parsed from it (hidden columns and the density otherwise come from the admin's
 * preferences, so the first render already has them), and only the visible page of rows is sent to the browser. The summary
 * counts and the total are loaded by the browser right after (./counts/route.ts): counting is the one
 * cost that grows with the number of tenants, so page one renders in the same time for 1,000 or 100,000.
 */
export default async function TenantsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const admin = await requireAdmin();
  const query = await searchParams;
  const params = tenantListParamsSchema.parse(query);
  const [page, active, reloadJob, views, tags, preferences] = await Promise.all([
    listTenantPage(params),
    getActiveRun(),
    activeReloadJob(),
    listSavedViews(admin.id),
    // Sent once: rows name their tags by id (lib/tenants/list-rows.ts).
    listTags(),
    getPreferences(admin.id),
  ]);
  // Columns: the URL's when it names them (a shared link, a saved view), else the admin's remembered choice.
  const hide = query.hide !== undefined ? params.hide : (preferences.hiddenColumns ?? []);
  const activeRun = active ? await getRunProgress(active.id) : null;
  return (
    <TenantsView
      rows={packTenantRows(page.items)}
      hasMore={page.hasMore}
      views={views}
      tags={tags}
      params={{ ...params, hide }}
      density={preferences.density}
      caps={{ verify: permits(admin.role, verifyTenantCommand), manage: permits(admin.role, updateTenantCommand) }}
      // eslint-disable-next-line react-hooks/purity -- a server component renders once per request; this is that request's time
      renderedAt={Date.now()}
      activeRun={activeRun}
      // Reload All started by another admin, or on another instance, shows its progress here too.
      activeReload={
        reloadJob && {
          id: reloadJob.id,
          status: reloadJob.status,
          total: reloadJob.total,
          done: reloadJob.done,
          reloaded: reloadJob.reloaded,
          failed: reloadJob.failed,
        }
      }
    />
  );
}

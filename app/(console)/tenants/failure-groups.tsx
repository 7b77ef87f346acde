"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { cloudLabels } from "@/components/format";
import { Button, buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { useToast } from "@/components/ui/toast";
import type { FailureGroup } from "@/lib/data/failure-groups";
import { shortMethodLabels } from "@/lib/methods";
import { settleAction } from "@/lib/settle-action";
import { csvLine } from "@/lib/tenants/csv";
import { tenantListQuery, type TenantListParams } from "@/lib/validations/tenant";
import type { RunProgress } from "@/lib/verification/types";
import { getFailureGroupsAction, sendGroupConsentLinksAction, switchGroupMethodAction, verifyGroupAction } from "./actions";
import { RequestConsentDialog } from "../campaigns/request-consent-dialog";
import { ConfirmDialog, type Confirmation } from "./confirm-dialog";

/** Groups shown before "Show all causes": the largest ones are what an admin fixes first. */
const SHOWN = 5;

const isActive = (g: FailureGroup, p: TenantListParams) =>
  p.status.length === 1 &&
  p.status[0] === "FAILED" &&
  p.reason.length === 1 &&
  p.reason[0] === g.reasonCode &&
  p.method.length === 1 &&
  p.method[0] === g.method &&
  p.cloud.length === 1 &&
  p.cloud[0] === g.cloud &&
  p.app === g.registration.value;

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  a.click();
  URL.revokeObjectURL(url);
}

/**
 * Root-cause groups above the table: failed tenants by cause, largest first, each with the one bulk
 * action that fixes it; a group's text is a link to the table filtered to its tenants. Loaded after the
 * rows (as the counts are), so the page's first render does not wait for the GROUP BY.
 */
export function FailureGroups({
  params,
  renderedAt,
  caps,
  onRunStarted,
}: {
  params: TenantListParams;
  renderedAt: number;
  caps: { verify: boolean; manage: boolean };
  onRunStarted: (run: RunProgress) => void;
}) {
  const router = useRouter();
  const { toast } = useToast();
  const [groups, setGroups] = useState<FailureGroup[] | null>(null);
  const [showAll, setShowAll] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [campaignGroup, setCampaignGroup] = useState<FailureGroup | null>(null);

  useEffect(() => {
    let live = true;
    settleAction(getFailureGroupsAction({})).then((r) => live && r.ok && setGroups(r.data));
    return () => {
      live = false;
    };
  }, [renderedAt]);

  if (!groups?.length) return null;
  const failed = groups.reduce((n, g) => n + g.count, 0);
  const active = groups.findIndex((g) => isActive(g, params));
  const shown = showAll || active >= SHOWN ? groups : groups.slice(0, SHOWN);
  const groupInput = (g: FailureGroup) => ({ reasonCode: g.reasonCode, method: g.method, cloud: g.cloud, app: g.registration.value });
  const filterHref = (g: FailureGroup) =>
    `/tenants${tenantListQuery({ ...g.filter, sort: params.sort, dir: params.dir, pageSize: params.pageSize, hide: params.hide })}`;

  const act = async (g: FailureGroup, work: () => Promise<void>) => {
    setBusy(g.key);
    try {
      await work();
    } finally {
      setBusy(null);
    }
  };

  const sendLinks = (g: FailureGroup) =>
    act(g, async () => {
      const result = await settleAction(sendGroupConsentLinksAction(groupInput(g)));
      if (!result.ok) return toast({ kind: "error", title: "Could not create the links", description: result.error });
      const { links, refused } = result.data;
      if (links.length) {
        const header = csvLine(["customer_id", "admin_email", "consent_link", "expires_at"]);
        download(
          `consent-links-${g.reasonCode.toLowerCase()}.csv`,
          header + links.map((l) => csvLine([l.customerId, l.adminEmail, l.url, l.expiresAt])).join(""),
        );
      }
      toast({
        kind: refused.length ? "error" : "success",
        title: `${links.length} consent ${links.length === 1 ? "link" : "links"} created`,
        description: refused.length
          ? `${refused.length} refused (first: ${refused[0]!.customerId}: ${refused[0]!.error})`
          : "The CSV with each customer's link is downloading: send every admin their link.",
      });
    });

  const verify = (g: FailureGroup) =>
    act(g, async () => {
      const result = await settleAction(verifyGroupAction(groupInput(g)));
      if (!result.ok) return toast({ kind: "error", title: "Could not start verification", description: result.error });
      onRunStarted(result.data.progress);
    });

  const switchMethod = (g: FailureGroup) =>
    setConfirmation({
      title: `${g.fix.label.replace(/^Switch/, `Switch ${g.count} ${g.count === 1 ? "tenant" : "tenants"}`)}?`,
      body: `${g.reason}: ${g.fix.text} Each tenant is switched and verified; its customer's admin then grants admin consent through a consent link.`,
      confirmLabel: "Switch tenants",
      run: () =>
        act(g, async () => {
          const result = await settleAction(switchGroupMethodAction(groupInput(g)));
          if (!result.ok) return toast({ kind: "error", title: "Could not switch", description: result.error });
          toast({
            kind: result.data.refused ? "error" : "success",
            title: `${result.data.switched} switched to ${shortMethodLabels[result.data.method].toLowerCase()}`,
            description: result.data.firstRefusal ? `${result.data.refused} refused: ${result.data.firstRefusal}` : "Send them consent links next.",
          });
          router.refresh();
        }),
    });

  const fixControl = (g: FailureGroup) => {
    const { kind, label } = g.fix;
    if (kind === "apply_credential" && caps.manage) {
      const href = g.registration.id ? `/settings/provider/${encodeURIComponent(g.registration.id)}` : "/settings/provider";
      return (
        <Link href={href} className={buttonClass("primary", "sm")}>
          {label}
        </Link>
      );
    }
    if (kind === "consent_links" && caps.verify)
      return (
        <span className="flex gap-1">
          <Button size="sm" variant="primary" pending={busy === g.key} onClick={() => sendLinks(g)}>
            {label}
          </Button>
          <Button size="sm" onClick={() => setCampaignGroup(g)}>
            Request consent<span className="sr-only"> from the {g.count} tenants of this cause</span>
          </Button>
        </span>
      );
    if (kind === "switch_method" && caps.manage)
      return (
        <Button size="sm" variant="primary" pending={busy === g.key} onClick={() => switchMethod(g)}>
          {label}
        </Button>
      );
    if (kind === "verify" && caps.verify)
      return (
        <Button size="sm" variant="primary" pending={busy === g.key} onClick={() => verify(g)}>
          {label}
        </Button>
      );
    return (
      <Link href={filterHref(g)} scroll={false} className={buttonClass("secondary", "sm")}>
        Show tenants
      </Link>
    );
  };

  return (
    <section aria-labelledby="failure-groups-title" className="rounded-xl border border-red-200 bg-white shadow-sm">
      <div className="flex flex-wrap items-baseline justify-between gap-2 border-b border-red-100 bg-red-50/60 px-4 py-2.5">
        <h2 id="failure-groups-title" className="text-sm font-semibold text-red-900">
          {failed.toLocaleString("en-US")} failed {failed === 1 ? "tenant" : "tenants"} · {groups.length} {groups.length === 1 ? "cause" : "causes"}
        </h2>
        <span className="text-xs text-red-800">Fix a cause once for all its tenants; click a cause to see its tenants.</span>
      </div>
      <ul className="divide-y divide-slate-100">
        {shown.map((g) => {
          const current = isActive(g, params);
          return (
            <li key={g.key} className={cn("flex flex-wrap items-center gap-3 px-4 py-2", current && "bg-blue-50/70")}>
              {/* A 12rem basis: on a phone the fix wraps under the cause instead of squeezing it under its buttons. */}
              <Link
                href={
                  current ? `/tenants${tenantListQuery({ sort: params.sort, dir: params.dir, pageSize: params.pageSize, hide: params.hide })}` : filterHref(g)
                }
                scroll={false}
                aria-current={current ? "true" : undefined}
                aria-label={`${g.count} ${g.count === 1 ? "tenant" : "tenants"}: ${g.reason}, ${g.registration.name}, ${cloudLabels[g.cloud]}, ${shortMethodLabels[g.method]}${current ? " (shown; click to show all tenants)" : ""}`}
                className="group flex min-w-0 flex-[1_1_12rem] items-baseline gap-3 rounded outline-offset-2"
              >
                <span className="w-14 shrink-0 text-right text-lg font-semibold tabular-nums text-red-700">{g.count.toLocaleString("en-US")}</span>
                <span className="min-w-0">
                  <span className="block font-medium text-slate-900 group-hover:underline">{g.reason}</span>
                  <span className="block truncate text-xs text-slate-500">
                    {shortMethodLabels[g.method]} · {g.registration.name} · {cloudLabels[g.cloud]} — {g.fix.text}
                  </span>
                </span>
              </Link>
              <div className="shrink-0">{fixControl(g)}</div>
            </li>
          );
        })}
      </ul>
      {groups.length > shown.length && (
        <div className="border-t border-slate-100 px-4 py-1.5">
          <Button size="sm" variant="ghost" onClick={() => setShowAll(true)}>
            Show all {groups.length} causes
          </Button>
        </div>
      )}
      {campaignGroup && (
        <RequestConsentDialog
          open
          onClose={() => setCampaignGroup(null)}
          source={{ failureGroup: groupInput(campaignGroup) }}
          scope={`The ${campaignGroup.count} failed ${campaignGroup.count === 1 ? "tenant" : "tenants"} of this cause: ${campaignGroup.reason}.`}
        />
      )}
      <ConfirmDialog
        confirmation={confirmation}
        pending={confirming}
        onCancel={() => setConfirmation(null)}
        onConfirm={async () => {
          if (!confirmation) return;
          setConfirming(true);
          try {
            await confirmation.run();
          } finally {
            setConfirming(false);
            setConfirmation(null);
          }
        }}
      />
    </section>
  );
}

import "server-only";
import { db } from "@/lib/db";
import { invitationStates, summaryBucket, type DeclineReason, type InvitationState } from "@/lib/campaigns/states";
import type { Page } from "@/lib/pagination";

/**
 * Consent campaigns as the console shows them: each campaign with its summary (counted from its
 * invitations' states, so the board's cards match its rows) and its invitations with the time of each step.
 * Never the invitation's encrypted link token.
 */

export type CampaignSummary = {
  invited: number;
  pending: number;
  opened: number;
  verified: number;
  failed: number;
  closed: number;
  byState: Record<InvitationState, number>;
};

export type CampaignView = {
  id: string;
  name: string;
  delivery: "email" | "export";
  channelId: string | null;
  channelName: string | null;
  reminderDays: number[];
  linkDays: number;
  createdBy: string;
  createdAt: Date;
  summary: CampaignSummary;
};

export type InvitationView = {
  id: string;
  campaignId: string;
  tenantId: string;
  customerId: string;
  tenantName: string;
  email: string;
  state: InvitationState;
  sentAt: Date | null;
  deliveryFailedAt: Date | null;
  openedAt: Date | null;
  sentToMicrosoftAt: Date | null;
  consentedAt: Date | null;
  confirmingAt: Date | null;
  verifiedAt: Date | null;
  declinedAt: Date | null;
  declineReason: DeclineReason | null;
  declineDetail: string | null;
  expiredAt: Date | null;
  revokedAt: Date | null;
  closedAt: Date | null;
  remindersSent: number;
  nextReminderAt: Date | null;
  lastError: string | null;
  linkExpiresAt: Date;
};

function emptySummary(): CampaignSummary {
  return {
    invited: 0,
    pending: 0,
    opened: 0,
    verified: 0,
    failed: 0,
    closed: 0,
    byState: Object.fromEntries(invitationStates.map((s) => [s, 0])) as Record<InvitationState, number>,
  };
}

async function summariesOf(campaignIds: string[]): Promise<Map<string, CampaignSummary>> {
  const groups = await db.invitation.groupBy({ by: ["campaignId", "state"], where: { campaignId: { in: campaignIds } }, _count: { _all: true } });
  const out = new Map(campaignIds.map((id) => [id, emptySummary()]));
  for (const g of groups) {
    const s = out.get(g.campaignId)!;
    const state = g.state as InvitationState;
    const n = g._count._all;
    s.invited += n;
    s.byState[state] = (s.byState[state] ?? 0) + n;
    s[summaryBucket(state)] += n;
  }
  return out;
}

const campaignSelect = {
  id: true,
  name: true,
  delivery: true,
  channelId: true,
  channel: { select: { name: true } },
  reminderDays: true,
  linkDays: true,
  createdBy: true,
  createdAt: true,
} as const;

type CampaignRow = {
  id: string;
  name: string;
  delivery: string;
  channelId: string | null;
  channel: { name: string } | null;
  reminderDays: string;
  linkDays: number;
  createdBy: string;
  createdAt: Date;
};

function view(row: CampaignRow, summary: CampaignSummary): CampaignView {
  const { channel, reminderDays, delivery, ...rest } = row;
  let days: number[] = [];
  try {
    days = JSON.parse(reminderDays) as number[];
  } catch {
    days = [];
  }
  return { ...rest, delivery: delivery === "email" ? "email" : "export", channelName: channel?.name ?? null, reminderDays: days, summary };
}

export async function listCampaigns(params: { page: number; pageSize: number }): Promise<Page<CampaignView>> {
  const [rows, total] = await Promise.all([
    db.consentCampaign.findMany({
      select: campaignSelect,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (params.page - 1) * params.pageSize,
      take: params.pageSize,
    }),
    db.consentCampaign.count(),
  ]);
  const summaries = await summariesOf(rows.map((r) => r.id));
  return { items: rows.map((r) => view(r, summaries.get(r.id)!)), total, page: params.page, pageSize: params.pageSize };
}

export async function getCampaign(id: string): Promise<CampaignView | null> {
  const row = await db.consentCampaign.findUnique({ where: { id }, select: campaignSelect });
  if (!row) return null;
  return view(row, (await summariesOf([id])).get(id)!);
}

export async function listInvitations(
  campaignId: string,
  params: { states?: InvitationState[]; page: number; pageSize: number },
): Promise<Page<InvitationView>> {
  const where = { campaignId, ...(params.states?.length ? { state: { in: params.states } } : {}) };
  const [rows, total] = await Promise.all([
    db.invitation.findMany({
      where,
      orderBy: [{ tenant: { customerId: "asc" } }, { id: "asc" }],
      skip: (params.page - 1) * params.pageSize,
      take: params.pageSize,
      select: {
        id: true,
        campaignId: true,
        tenantId: true,
        email: true,
        state: true,
        sentAt: true,
        deliveryFailedAt: true,
        openedAt: true,
        sentToMicrosoftAt: true,
        consentedAt: true,
        confirmingAt: true,
        verifiedAt: true,
        declinedAt: true,
        declineReason: true,
        declineDetail: true,
        expiredAt: true,
        revokedAt: true,
        closedAt: true,
        remindersSent: true,
        nextReminderAt: true,
        lastError: true,
        tenant: { select: { customerId: true, displayName: true } },
        consentLink: { select: { expiresAt: true } },
      },
    }),
    db.invitation.count({ where }),
  ]);
  return {
    items: rows.map(({ tenant, consentLink, state, declineReason, ...r }) => ({
      ...r,
      state: state as InvitationState,
      declineReason: declineReason as DeclineReason | null,
      customerId: tenant.customerId,
      tenantName: tenant.displayName,
      linkExpiresAt: consentLink.expiresAt,
    })),
    total,
    page: params.page,
    pageSize: params.pageSize,
  };
}

/** Email channels a campaign can send with (enabled SMTP and Graph mail channels). */
export async function emailChannels(): Promise<{ id: string; name: string; kind: string }[]> {
  return db.notificationChannel.findMany({
    where: { enabled: true, kind: { in: ["SMTP", "GRAPH_MAIL"] } },
    select: { id: true, name: true, kind: true },
    orderBy: { name: "asc" },
  });
}

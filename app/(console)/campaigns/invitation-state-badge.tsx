import { invitationStateLabels, summaryBucket, type InvitationState } from "@/lib/campaigns/states";

const tone = { pending: "badge-NEVER", opened: "badge-progress", verified: "badge-VERIFIED", failed: "badge-FAILED", closed: "badge-NEVER" } as const;

/** An invitation's state as a pill, coloured by its summary bucket (classes in app/globals.css). */
export function InvitationStateBadge({ state }: { state: InvitationState }) {
  return <span className={`badge ${tone[summaryBucket(state)]}`}>{invitationStateLabels[state]}</span>;
}

/**
 * An invitation's states, in the order a customer normally goes through them, and what each is called
 * on the board. Pure: lib/campaigns/invitations.ts moves invitations between them.
 */

export const invitationStates = [
  "pending", // created, not sent yet (email) — an exported link starts at "sent"
  "sent",
  "delivery_failed",
  "opened", // the customer opened the consent page
  "sent_to_microsoft", // pressed Continue: on Microsoft's sign-in and consent screens
  "consented", // Microsoft returned consent; the console checks it
  "confirming", // consent received, Entra still replicating it
  "verified", // the tenant verified: closed
  "declined", // cancelled, wrong directory, not an administrator, or failed (declineReason)
  "expired", // the link expired before consent: closed
  "revoked", // revoked by the MSP: closed
] as const;
export type InvitationState = (typeof invitationStates)[number];

export const declineReasons = ["cancelled", "wrong_directory", "not_admin", "failed"] as const;
export type DeclineReason = (typeof declineReasons)[number];

export const invitationStateLabels: Record<InvitationState, string> = {
  pending: "Queued",
  sent: "Sent",
  delivery_failed: "Delivery failed",
  opened: "Link opened",
  sent_to_microsoft: "At Microsoft",
  consented: "Consented",
  confirming: "Confirming",
  verified: "Verified",
  declined: "Declined",
  expired: "Expired",
  revoked: "Revoked",
};

/** States after which nothing more happens to an invitation. */
export const closedStates: readonly InvitationState[] = ["verified", "expired", "revoked"];

/** The campaign summary's buckets. */
export function summaryBucket(state: InvitationState): "pending" | "opened" | "verified" | "failed" | "closed" {
  switch (state) {
    case "verified":
      return "verified";
    case "delivery_failed":
    case "declined":
      return "failed";
    case "expired":
    case "revoked":
      return "closed";
    case "opened":
    case "sent_to_microsoft":
    case "consented":
    case "confirming":
      return "opened";
    default:
      return "pending";
  }
}

import type { Metadata } from "next";
import Link from "next/link";
import { findUsableInvitation } from "@/lib/admins/invitations";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/passwords";
import { AuthCard } from "../../auth-card";
import { PasswordForm } from "../../password-form";
import { acceptInvitationAction } from "./actions";

export const metadata: Metadata = { title: "Join the console", referrer: "no-referrer" };

const roleNames = { ADMINISTRATOR: "Administrator", OPERATOR: "Operator", VIEWER: "Viewer" } as const;

/** An emailed invitation's page (lib/admins/invitations.ts): public, the token in the path is the only key. */
export default async function JoinPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await findUsableInvitation(token);
  if (!invitation)
    return (
      <AuthCard title="Invitation not valid" intro="This invitation link was already used, was revoked or has expired.">
        <p className="text-sm text-slate-700">Ask an administrator of the console to invite you again.</p>
        <Link href="/sign-in" className="text-sm text-blue-700 hover:underline">
          Go to sign-in
        </Link>
      </AuthCard>
    );
  return (
    <AuthCard title="Join the Tenant Access Console" intro={`You are invited as ${roleNames[invitation.role]}. Choose your password to create your account.`}>
      <PasswordForm
        action={acceptInvitationAction}
        email={invitation.email}
        name={invitation.name}
        hidden={{ token }}
        submitLabel="Create my account"
        minLength={PASSWORD_MIN_LENGTH}
      />
    </AuthCard>
  );
}

"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { acceptInvitation } from "@/lib/admins/invitations";
import { recordAudit } from "@/lib/audit";
import { newPasswordSchema } from "@/lib/auth/change-password";
import { currentRequestId } from "@/lib/commands/action";
import { CHECK_FIELDS } from "@/lib/errors";
import type { PasswordFormState } from "../../password-form";

const acceptSchema = newPasswordSchema.and(
  z.object({
    token: z.string().max(64),
    name: z.string().trim().max(200, "Keep the name under 200 characters.").optional(),
  }),
);

/** An invitation's link used: the holder of the token chooses the password; the link works once. */
export async function acceptInvitationAction(_previous: PasswordFormState, form: FormData): Promise<PasswordFormState> {
  const parsed = acceptSchema.safeParse({
    token: form.get("token") ?? "",
    name: form.get("name") ?? undefined,
    password: form.get("password") ?? "",
    confirm: form.get("confirm") ?? "",
  });
  const typedName = String(form.get("name") ?? "").slice(0, 200);
  if (!parsed.success) return { error: CHECK_FIELDS, fieldErrors: parsed.error.flatten().fieldErrors, name: typedName };
  const result = await acceptInvitation(parsed.data);
  if (!result.ok) return { error: result.message, name: typedName };
  await recordAudit({
    action: "admin.invitation_accepted",
    actor: { type: "anonymous", label: result.admin.email },
    target: { type: "admin", id: result.admin.id },
    requestId: await currentRequestId(),
    details: { email: result.admin.email, role: result.admin.role, invitationId: result.invitationId },
  });
  redirect("/sign-in?joined=1");
}

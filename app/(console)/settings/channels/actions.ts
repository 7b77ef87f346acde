"use server";

import {
  createChannelCommand,
  deleteChannelCommand,
  finishChannelRotationCommand,
  rotateChannelSecretCommand,
  testChannelCommand,
  updateChannelCommand,
} from "@/lib/commands/channels";
import { actionFor, checked, formActionFor, formVersion, textFields } from "@/lib/commands/server-action";

const fieldNames = ["name", "host", "port", "security", "user", "password", "from", "to", "appRegistrationId", "mailbox", "url"] as const;
/** What a refused form gets back as typed: never a secret field (password, a Teams workflow URL). */
const echo = ["name", "host", "port", "security", "user", "from", "to", "appRegistrationId", "mailbox"] as const;

/** Only the fields the kind has: the form renders those, and a missing field must not read as "". */
function readFields(form: FormData) {
  const present = fieldNames.filter((n) => form.has(n));
  return { ...textFields(form, present), enabled: checked(form, "enabled") };
}

export const createChannelAction = formActionFor(createChannelCommand, {
  read: (form) => ({ kind: String(form.get("kind") ?? ""), ...readFields(form) }),
  revalidate: "/settings/channels",
  echo,
  present: ({ id, signingSecret }) => ({ id, signingSecret }),
});

export const updateChannelAction = formActionFor(updateChannelCommand, {
  read: (form) => ({ id: String(form.get("id") ?? ""), version: formVersion(form), ...readFields(form) }),
  revalidate: (input) => `/settings/channels/${input.id}`,
  echo,
  present: ({ view, changedFields }) => ({ id: view.id, version: view.version, changedFields }),
});

export const deleteChannelAction = actionFor(deleteChannelCommand, { revalidate: "/settings/channels", present: ({ id }) => ({ id }) });

export const testChannelAction = actionFor(testChannelCommand, {
  revalidate: (input) => `/settings/channels/${input.id}`,
  present: (r) => ({ ok: r.ok, responseCode: r.responseCode, durationMs: r.durationMs, error: r.error }),
});

export const rotateChannelSecretAction = actionFor(rotateChannelSecretCommand, {
  revalidate: (input) => `/settings/channels/${input.id}`,
  present: ({ signingSecret }) => ({ signingSecret }),
});

export const finishChannelRotationAction = actionFor(finishChannelRotationCommand, {
  revalidate: (input) => `/settings/channels/${input.id}`,
  present: (view) => ({ secretHint: view.secretHint }),
});

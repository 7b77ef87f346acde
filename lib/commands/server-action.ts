import "server-only";
import type { z } from "zod";
import type { ActionResult, FormOutcome } from "@/lib/action-result";
import { actorOf, getSessionAdmin } from "@/lib/auth/session";
import { currentRequestId, runAction, settle, withoutFields, type ActionEnvironment, type ActionOptions } from "./action";
import type { Command } from "./command";

/**
 * Server actions over commands, for the signed-in admin. A "use server" file exports what these return:
 *
 *   export const deleteTenantAction = actionFor(deleteTenantCommand, { revalidate: "/tenants" });
 *
 * The admin is re-read from the session on every call (a server action is a public endpoint); the
 * command checks the role and parses the input.
 */

export const sessionEnvironment: ActionEnvironment = {
  requestId: currentRequestId,
  async caller() {
    const admin = await getSessionAdmin();
    return admin && { actor: actorOf(admin), role: admin.role, principalKind: "admin" };
  },
};

/** The arguments of an action: its input, which may be left out when the command takes none. */
type ActionArgs<I> = undefined extends I ? [input?: I] : [input: I];

/** An action called with an object, from a button or a menu. */
export function actionFor<S extends z.ZodType, O, R = O>(command: Command<S, O>, options: ActionOptions<S, O, R> = {}) {
  return async (...[input]: ActionArgs<z.input<S>>): Promise<ActionResult<R>> => withoutFields(await runAction(command, input, sessionEnvironment, options));
}

export type { FormOutcome, FormResult } from "@/lib/action-result";

/**
 * An action posted by a form (`useActionState` or a transition with FormData): `read` turns the form into
 * the command's input. On a refusal the fields listed in `echo` come back as typed (never a secret field).
 */
export function formActionFor<S extends z.ZodType, O, R = O>(
  command: Command<S, O>,
  options: ActionOptions<S, O, R> & { read: (form: FormData) => unknown; echo?: readonly string[] },
) {
  return async (_previous: unknown, form: FormData): Promise<FormOutcome<R>> => {
    type Read = { ok: true; input: unknown } | { ok: false; error: string };
    const read = await settle<Read>(command.name, currentRequestId, async () => ({ ok: true, input: await options.read(form) }), (error) => ({ ok: false, error }));
    if (!read.ok) return { ok: false, error: read.error };
    const result = await runAction(command, read.input, sessionEnvironment, options);
    if (result.ok || !options.echo) return result;
    return { ...result, values: textFields(form, options.echo) };
  };
}

/** The named fields of a form as text; a missing field or a file reads as "". */
export function textFields<K extends string>(form: FormData, names: readonly K[]): Record<K, string> {
  return Object.fromEntries(names.map((name) => {
    const value = form.get(name);
    return [name, typeof value === "string" ? value : ""];
  })) as Record<K, string>;
}

/** A checkbox without a value attribute: "on" when ticked, absent otherwise. */
export function checked(form: FormData, name: string): boolean {
  return form.get(name) === "on";
}

/** The version an Apply/Reset form was loaded with; anything else reads as -1, which never matches. */
export function formVersion(form: FormData): number {
  const version = Number(form.get("version") ?? 0);
  return Number.isInteger(version) ? version : -1;
}

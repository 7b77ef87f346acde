import "server-only";
import { randomUUID } from "node:crypto";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import type { ActionResult, FormOutcome } from "@/lib/action-result";
import { CommandError, logUnexpected } from "@/lib/errors";
import { execute, type Command, type CommandContext } from "./command";

/**
 * The server-action side of the command layer, free of the session so that it can be tested on its own
 * (./server-action.ts binds it to the console's session). An action never throws to the browser: a
 * thrown action rejects the client's promise, and whatever waited on it (a spinner, a disabled button)
 * would stay busy. Refusals become `{ ok: false, error, fieldErrors }`; anything unexpected is logged
 * with the request id and becomes a message that gives that id.
 */

export const SIGNED_OUT = "Your session has ended. Sign in again.";

/** The id proxy.ts stamped on this request; it is in the log line and the audit entries. */
export async function currentRequestId() {
  return (await headers()).get("x-request-id") ?? randomUUID();
}

export function somethingWentWrong(requestId: string) {
  return `Something went wrong. Try again; if it fails again, give your administrator the request id ${requestId}.`;
}

/** Where an action learns its request id and its caller (null: no valid session). */
export type ActionEnvironment = {
  requestId(): Promise<string>;
  caller(): Promise<Omit<CommandContext, "requestId"> | null>;
};

export type ActionOptions<S extends z.ZodType, O, R> = {
  /** The page whose data the command changed, revalidated after it succeeded. */
  revalidate?: string | ((input: z.output<S>) => string);
  /** What the browser receives instead of the command's whole output. */
  present?: (output: O) => R;
};

/**
 * Runs `fn` and returns its value; a Next.js redirect or notFound passes through, anything else thrown is
 * logged and turned into `onFailure`'s value. For the few actions that are not commands (consent start).
 */
export async function settle<T>(
  name: string,
  requestId: () => Promise<string>,
  fn: (requestId: string) => Promise<T>,
  onFailure: (message: string) => T,
): Promise<T> {
  let id = "";
  try {
    id = await requestId();
    return await fn(id);
  } catch (e) {
    unstable_rethrow(e);
    id ||= randomUUID();
    logUnexpected(`action ${name}`, id, e);
    return onFailure(somethingWentWrong(id));
  }
}

/**
 * Runs a command for an action's caller. `read` produces the raw input (from FormData, for a form): it runs
 * inside the same guard, and the command parses whatever it returns.
 */
export async function runAction<S extends z.ZodType, O, R = O>(
  command: Command<S, O>,
  read: () => unknown,
  env: ActionEnvironment,
  options: ActionOptions<S, O, R> = {},
): Promise<ActionResult<R>> {
  return settle<ActionResult<R>>(
    command.name,
    env.requestId,
    async (requestId) => {
      const caller = await env.caller();
      if (!caller) return { ok: false, error: SIGNED_OUT };
      let done: { input: z.output<S>; output: O };
      try {
        done = await execute(command, await read(), { ...caller, requestId });
      } catch (e) {
        if (!(e instanceof CommandError)) throw e;
        return { ok: false, error: e.message, ...(e.fieldErrors ? { fieldErrors: e.fieldErrors } : {}) };
      }
      const { input, output } = done;
      if (options.revalidate) revalidatePath(typeof options.revalidate === "string" ? options.revalidate : options.revalidate(input));
      return { ok: true, data: options.present ? options.present(output) : (output as unknown as R) };
    },
    (error) => ({ ok: false, error }),
  );
}

/**
 * A refusal of an action started by a button rather than a form: nothing is highlighted, so the first
 * field's message says what is wrong.
 */
function withoutFields<R>(result: ActionResult<R>): ActionResult<R> {
  if (result.ok || !result.fieldErrors) return result;
  const first = Object.values(result.fieldErrors).find((m) => m?.length)?.[0];
  return { ok: false, error: first ?? result.error };
}

/** The arguments of an action: its input, which may be left out when the command takes none. */
type ActionArgs<I> = undefined extends I ? [input?: I] : [input: I];

/** The two shapes of server action over a command, for callers found through `env`. */
export function adaptersFor(env: ActionEnvironment) {
  return {
    /** An action called with an object, from a button or a menu. */
    actionFor<S extends z.ZodType, O, R = O>(command: Command<S, O>, options: ActionOptions<S, O, R> = {}) {
      return async (...[input]: ActionArgs<z.input<S>>): Promise<ActionResult<R>> => withoutFields(await runAction(command, () => input, env, options));
    },

    /**
     * An action posted by a form (`useActionState`, or a transition with FormData): `read` turns the form
     * into the command's input. On a refusal the fields named in `echo` come back as typed (never a secret).
     */
    formActionFor<S extends z.ZodType, O, R = O>(
      command: Command<S, O>,
      options: ActionOptions<S, O, R> & { read: (form: FormData) => unknown; echo?: readonly string[] },
    ) {
      return async (_previous: unknown, form: FormData): Promise<FormOutcome<R>> => {
        const result = await runAction(command, () => options.read(form), env, options);
        if (result.ok || !options.echo) return result;
        return { ...result, values: textFields(form, options.echo) };
      };
    },
  };
}

/** The named fields of a form as text; a missing field or a file reads as "". */
export function textFields<K extends string>(form: FormData, names: readonly K[]): Record<K, string> {
  return Object.fromEntries(
    names.map((name) => {
      const value = form.get(name);
      return [name, typeof value === "string" ? value : ""];
    }),
  ) as Record<K, string>;
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

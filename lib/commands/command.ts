import "server-only";
import { z } from "zod";
// Messages for people wherever a schema gives none (lib/validations/messages.ts).
import "@/lib/validations/messages";
import { recordAudit, type AuditAction, type AuditActor, type AuditDetails, type AuditTarget } from "@/lib/audit";
import { atLeast } from "@/lib/auth/roles";
import { CHECK_FIELDS, CommandError, type FieldErrors } from "@/lib/errors";
import type { AdminRole } from "@/lib/generated/prisma/enums";

/**
 * The command layer: every operation a person or a program can start is declared once, with its minimum
 * role, its zod input and (for changes) its audit action, and run by `runCommand`, which authorizes and
 * parses before `run` sees anything. Server actions (./server-action.ts) and REST handlers
 * (lib/api/handler.ts) are adapters that only say who is calling and how the answer is shown.
 * Refusals are CommandErrors (lib/errors.ts), whose code the adapters map; never their message.
 */

export type PrincipalKind = "admin" | "api_token" | "entra_client";

/** A REST caller as the access-token broker's grants name it: an API token, or an Entra client app and its app roles. */
export type Grantee = { kind: "api_token"; tokenId: string } | { kind: "entra_client"; appId: string; appRoles: string[] };

/** Who runs a command, whichever entry point they came through. */
export type CommandContext = {
  actor: AuditActor;
  role: AdminRole;
  requestId: string;
  principalKind: PrincipalKind;
  signal?: AbortSignal;
  /** REST callers only. */
  grantee?: Grantee;
};

export type AuditEntry = { target?: AuditTarget; details?: AuditDetails };

/** What `run` gets: the caller, and for a command `audit`, which records the command's declared action. */
export type RunContext = CommandContext & { audit(entry: AuditEntry): Promise<void> };

type Spec<S extends z.ZodType, O> = {
  /** `noun.verb`, used in logs. */
  name: string;
  role: AdminRole;
  input: S;
  /** The refusal a lower role gets, written for people. */
  denied?: string;
  run(ctx: RunContext, input: z.output<S>): Promise<O>;
};

export type Command<S extends z.ZodType = z.ZodType, O = unknown> = Required<Omit<Spec<S, O>, "run">> & {
  kind: "command" | "query";
  /** The audit action a command records, itself or through what it calls; null for a query. */
  audit: AuditAction | null;
  run(ctx: RunContext, input: z.output<S>): Promise<O>;
};

export type CommandInput<C> = C extends Command<infer S, unknown> ? z.input<S> : never;
export type CommandOutput<C> = C extends Command<z.ZodType, infer O> ? O : never;

const DENIED = "Your role does not allow this action.";

/** An operation that changes something, and is audited. */
export function defineCommand<S extends z.ZodType, O>(spec: Spec<S, O> & { audit: AuditAction }): Command<S, O> {
  return { ...spec, kind: "command", denied: spec.denied ?? DENIED };
}

/** A read (or a check that changes nothing) behind the same authorization and parsing. */
export function defineQuery<S extends z.ZodType, O>(spec: Spec<S, O>): Command<S, O> {
  return { ...spec, kind: "query", audit: null, denied: spec.denied ?? DENIED };
}

/** Whether a role may run the command: what pages use to show or hide its control. */
export function permits(role: AdminRole, command: Pick<Command, "role">): boolean {
  return atLeast(role, command.role);
}

/**
 * Zod's issues as field errors keyed by the first path segment, plus the message of an issue about the
 * input as a whole. The schemas' own messages are written for people; the value is never quoted.
 */
export function issuesOf(error: z.ZodError): { fieldErrors: FieldErrors; message: string | null } {
  const fieldErrors: FieldErrors = {};
  let message: string | null = null;
  for (const issue of error.issues) {
    const key = issue.path[0];
    if (key === undefined) message ??= issue.message;
    else (fieldErrors[String(key)] ??= []).push(issue.message);
  }
  return { fieldErrors, message };
}

/** Authorizes, parses and runs a command; refusals are thrown as CommandErrors. */
export async function runCommand<S extends z.ZodType, O>(command: Command<S, O>, raw: unknown, ctx: CommandContext): Promise<O> {
  return (await execute(command, raw, ctx)).output;
}

/** `runCommand`, answering the parsed input as well (an adapter revalidates the page it names). */
export async function execute<S extends z.ZodType, O>(command: Command<S, O>, raw: unknown, ctx: CommandContext): Promise<{ input: z.output<S>; output: O }> {
  if (!atLeast(ctx.role, command.role)) throw new CommandError("forbidden", command.denied);
  const parsed = command.input.safeParse(raw);
  if (!parsed.success) {
    const { fieldErrors, message } = issuesOf(parsed.error);
    throw new CommandError("validation", message ?? CHECK_FIELDS, { fieldErrors });
  }
  const audit = async (entry: AuditEntry) => {
    if (!command.audit) throw new Error(`${command.name} is a query and records no audit event`);
    await recordAudit({ action: command.audit, actor: ctx.actor, requestId: ctx.requestId, ...entry });
  };
  return { input: parsed.data, output: await command.run({ ...ctx, audit }, parsed.data) };
}

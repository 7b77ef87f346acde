import "server-only";
import { DecryptionError } from "@/lib/crypto";
import { db } from "@/lib/db";
import { classifyFailure, type EntraFailure } from "@/lib/entra/classify";
import { graphPost } from "@/lib/entra/graph";
import { callPolicy, type RetryPolicy } from "@/lib/entra/http";
import { reasons } from "@/lib/entra/reasons";
import { tokenClient, V2 } from "@/lib/entra/token-client";
import { appOfRegistration, ProviderNotConfiguredError, type ProviderApp } from "@/lib/provider/settings";
import type { ResolvedChannel } from "./config";
import { emailContent } from "./email-content";
import type { DeliverOptions } from "./index";
import type { DeliveryResult, OutgoingMessage } from "./types";

/**
 * Email through Microsoft Graph `sendMail`, from a mailbox in the MSP's own tenant. The channel names one
 * of the MSP's app registrations (Settings → App registrations); the driver gets an app-only token for it
 * in the registration's home tenant (client credentials for the registration's cloud's Graph resource, so
 * Custom clouds work), then POSTs `/users/{mailbox}/sendMail` on that cloud's Graph host. The registration
 * needs the application permission Mail.Send, admin-consented in its home tenant.
 *
 * One attempt per call, each HTTP call limited to `options.timeoutMs`: the outbox (lib/notify/deliver.ts)
 * retries with backoff and honours `retryAfterMs`. `permanent` marks what no retry can fix (missing
 * permission, unknown mailbox, a rejected credential). The token is never logged nor returned.
 * @see https://learn.microsoft.com/en-us/graph/api/user-sendmail
 * @see https://learn.microsoft.com/en-us/graph/throttling
 */
export async function deliverGraphMail(
  channel: Extract<ResolvedChannel, { kind: "GRAPH_MAIL" }>,
  message: OutgoingMessage,
  options: DeliverOptions,
): Promise<DeliveryResult> {
  const { config } = channel;
  const row = await db.appRegistration.findUnique({ where: { id: config.appRegistrationId } });
  if (!row) return permanent(null, "The app registration this channel sends with no longer exists. Choose another one on the channel.");
  const name = `"${row.name}"`;
  if (!row.homeTenantId) {
    return permanent(
      null,
      `The app registration ${name} has no home tenant, so the console cannot tell where its mailbox is. Set its home tenant on Settings → App registrations.`,
    );
  }
  let app: ProviderApp;
  try {
    app = appOfRegistration(row);
  } catch (e) {
    if (e instanceof ProviderNotConfiguredError) return permanent(null, e.message);
    if (e instanceof DecryptionError)
      return permanent(null, `The credential of app registration ${name} cannot be decrypted. Save it again on Settings → App registrations.`);
    throw e;
  }

  const policy: RetryPolicy = { ...callPolicy("notification"), timeoutMs: options.timeoutMs };
  // A v1.0 registration asks for Graph's resource, whatever its own Resource is: the call goes to Graph.
  const protocol = app.tokenVersion === "v1" ? ({ version: "v1", resource: app.endpoints.graphResource } as const) : V2;
  const token = await tokenClient(protocol).acquireAppToken({
    endpoints: app.endpoints,
    clientId: app.clientId,
    credential: app.credential,
    tenant: row.homeTenantId,
    policy,
    signal: options.signal,
  });
  if (!token.ok) return tokenFailure(token.failure, name);

  const { subject, html } = message.email ?? emailContent(message);
  const recipients = (message.email?.to ?? config.to).map((address) => ({ emailAddress: { address } }));
  const domain = config.mailbox.split("@")[1] ?? "tenant-access-console.invalid";
  const body = {
    message: {
      subject,
      body: { contentType: "HTML", content: html },
      toRecipients: recipients,
      // The notification's id: the same on every retry, so receivers (and threads) can tell a repeat.
      internetMessageId: `<${message.id.replace(/[^A-Za-z0-9._-]/g, "")}@${domain}>`,
      importance: message.severity === "critical" ? "high" : "normal",
    },
    saveToSentItems: true,
  };
  const url = `${app.endpoints.graphBase}/v1.0/users/${encodeURIComponent(config.mailbox)}/sendMail`;
  const res = await graphPost(app.endpoints, token.accessToken, url, body, { policy, signal: options.signal });
  if (res.ok) return { ok: true, responseCode: res.status };
  return sendFailure(res.failure, name, config.mailbox);
}

function permanent(responseCode: number | null, error: string): DeliveryResult {
  return { ok: false, responseCode, error, permanent: true };
}

function retryAfterMs(f: EntraFailure): number | undefined {
  return f.retryAfterSeconds !== undefined ? Math.ceil(f.retryAfterSeconds * 1000) : undefined;
}

function withCode(f: EntraFailure): string {
  const parts = [f.httpStatus ? String(f.httpStatus) : null, f.graphCode ?? (f.errorCodes?.length ? `AADSTS${f.errorCodes[0]}` : f.error) ?? null];
  const code = parts.filter(Boolean).join(" ");
  return code ? ` (${code})` : "";
}

/** The call never got an answer from Microsoft: a timeout or a network failure may pass; a refused host will not. */
function noAnswer(f: EntraFailure, what: string): DeliveryResult {
  if (f.kind === "refused") return permanent(null, `The console refused to call ${what}: ${f.refusal ?? "the host is not allowed"}.`);
  if (f.kind === "timeout") return { ok: false, responseCode: null, error: `${what} did not answer in time.` };
  if (f.kind === "config") return permanent(null, `${what} could not be called: the address is not valid.`);
  return { ok: false, responseCode: null, error: `${what} could not be reached (${f.libraryCode ?? "network error"}).` };
}

function tokenFailure(f: EntraFailure, name: string): DeliveryResult {
  if (f.kind !== "server") return noAnswer(f, "Microsoft Entra ID");
  const reason = classifyFailure(f);
  const r = reasons[reason];
  const error = `Entra ID refused a token for app registration ${name} in its home tenant${withCode(f)}: ${r.title}. ${r.explanation}`;
  const status = f.httpStatus ?? null;
  if ("transient" in r && r.transient) return { ok: false, responseCode: status, error, retryAfterMs: retryAfterMs(f) };
  return permanent(status, error);
}

function sendFailure(f: EntraFailure, name: string, mailbox: string): DeliveryResult {
  if (f.kind !== "server") return noAnswer(f, "Microsoft Graph");
  const status = f.httpStatus ?? null;
  const code = withCode(f);
  if (status === 429 || status === 408 || (status !== null && status >= 500)) {
    const what = status === 429 ? "Microsoft Graph is throttling the console" : `Microsoft Graph could not take the message just now`;
    return { ok: false, responseCode: status, error: `${what}${code}; it will be sent again later.`, retryAfterMs: retryAfterMs(f) };
  }
  if (status === 403) {
    return permanent(
      status,
      `The app registration ${name} lacks the application permission Mail.Send in its home tenant${code}; grant it and admin-consent (or, if an Exchange application access policy limits the app, allow it to send as ${mailbox}).`,
    );
  }
  if (status === 401) {
    return permanent(
      status,
      `Microsoft Graph did not accept the token of app registration ${name}${code}; check the registration's cloud and its permissions.`,
    );
  }
  if (status === 404) {
    return permanent(
      status,
      `The mailbox ${mailbox} does not exist in the home tenant of app registration ${name}${code}. Enter a user or shared mailbox of that tenant.`,
    );
  }
  if (status === 400) return permanent(status, `Microsoft Graph refused the message${code}; check the channel's recipients.`);
  return permanent(status, `Microsoft Graph refused the message${code}.`);
}

import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureTlsMaterial } from "@/emulator/certs";
import { testDataDir } from "@/emulator/testing/paths";
import { classifyFailure } from "./classify";
import { cloudEndpoints } from "./clouds";
import { graphBatch } from "./graph";
import { callPolicy, defaultRetryPolicy, EntraCallError, entraFetch, sendWithRetry, type RetryPolicy } from "./http";

/** A scripted HTTPS server (the emulator's trusted certificate): each request takes the next step. */
type Step = { status: number; headers?: Record<string, string>; body?: unknown } | "hang";
let steps: Step[] = [];
let hits: number[] = [];
let received: { method?: string; url?: string; contentType?: string; body: string }[] = [];
let server: Server;
let base: string;
const policy: RetryPolicy = { ...defaultRetryPolicy, timeoutMs: 300, maxRetries: 3, baseBackoffMs: 20, maxBackoffMs: 40 };

beforeAll(async () => {
  const tls = ensureTlsMaterial(testDataDir());
  server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertPem }, (req, res) => {
    hits.push(Date.now());
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      received.push({ method: req.method, url: req.url, contentType: req.headers["content-type"], body });
      const step = steps.shift() ?? { status: 200, body: {} };
      if (step === "hang") return;
      res.writeHead(step.status, { "content-type": "application/json", ...step.headers });
      res.end(JSON.stringify(step.body ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

beforeEach(() => {
  steps = [];
  hits = [];
  received = [];
});

const call = () => sendWithRetry({ kind: "token", flow: "client_credentials", method: "POST", url: `${base}/t/oauth2/v2.0/token`, body: "x=1", policy });

describe("sendWithRetry", () => {
  it("waits a fractional Retry-After on 429 and 503, then succeeds", async () => {
    steps = [
      { status: 429, headers: { "retry-after": "0.2" } },
      { status: 503, headers: { "retry-after": "0.1" } },
      { status: 200, body: { ok: true } },
    ];
    const r = await call();
    expect(r.status).toBe(200);
    expect(r.trace.attempts.map((a) => a.status)).toEqual([429, 503, 200]);
    expect(hits[1]! - hits[0]!).toBeGreaterThanOrEqual(190);
    expect(hits[2]! - hits[1]!).toBeGreaterThanOrEqual(90);
  });

  it("backs off on 5xx without Retry-After and returns the last answer when retries run out", async () => {
    steps = Array(5).fill({ status: 500, body: { error: "server_error" } });
    const r = await call();
    expect(r.status).toBe(500);
    expect(r.trace.attempts).toHaveLength(4);
  });

  it("does not wait for a Retry-After beyond the limit", async () => {
    steps = [{ status: 429, headers: { "retry-after": "3600" } }];
    const r = await call();
    expect(r.status).toBe(429);
    expect(r.trace.attempts).toHaveLength(1);
  });

  it("gives up on a hung call after the timeout, without repeating it", async () => {
    steps = ["hang", { status: 200 }];
    const t0 = Date.now();
    const e = await call().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EntraCallError);
    expect((e as EntraCallError).failure).toMatchObject({ kind: "timeout", attempts: 1 });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it("reports a refused connection as a network error", async () => {
    const e = await sendWithRetry({ kind: "graph", flow: "graph", method: "GET", url: "https://127.0.0.1:1/x", policy: { ...policy, maxRetries: 1 } }).catch(
      (x: unknown) => x,
    );
    expect((e as EntraCallError).failure).toMatchObject({ kind: "network", libraryCode: "ECONNREFUSED", attempts: 2 });
  });
});

describe("sendWithRetry on the guarded transport (OUTBOUND_ALLOW_HOSTS=127.0.0.1 in tests)", () => {
  it("refuses a host name that resolves to loopback without retrying, and says why", async () => {
    const url = base.replace("127.0.0.1", "localhost");
    const e = await sendWithRetry({ kind: "token", flow: "client_credentials", method: "POST", url: `${url}/t/oauth2/v2.0/token`, body: "x=1", policy }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(EntraCallError);
    const failure = (e as EntraCallError).failure;
    expect(failure).toMatchObject({ kind: "refused", attempts: 1, libraryCode: "ERR_OUTBOUND_REFUSED", endpoint: `${url}/t/oauth2/v2.0/token` });
    expect(failure.refusal).toMatch(/^localhost:\d+ resolves to a loopback address (127\.0\.0\.1|::1); add it to OUTBOUND_ALLOW_HOSTS if this is intended$/);
    expect(classifyFailure(failure)).toBe("HOST_NOT_ALLOWED");
    expect(hits).toHaveLength(0);
  });

  it("refuses a loopback address on another host than the allowed one, and http to the allowed one", async () => {
    const other = await sendWithRetry({ kind: "graph", flow: "graph", method: "GET", url: base.replace("127.0.0.1", "127.0.0.2"), policy }).catch(
      (x: unknown) => x,
    );
    expect((other as EntraCallError).failure.refusal).toMatch(/^127\.0\.0\.2:\d+ is a loopback address/);
    const http = await sendWithRetry({ kind: "graph", flow: "graph", method: "GET", url: base.replace("https:", "http:"), policy }).catch((x: unknown) => x);
    expect((http as EntraCallError).failure).toMatchObject({ kind: "refused", refusal: expect.stringMatching(/does not use https/) });
    expect(hits).toHaveLength(0);
  });
});

describe("graphBatch", () => {
  const endpoints = () => cloudEndpoints("CUSTOM", { authorityHost: base.slice(8), graphHost: base.slice(8) });
  const requests = [
    { id: "a", url: "/organization" },
    { id: "b", url: "/users?$top=1" },
  ];

  it("resends only the sub-requests throttled inside a 200 batch, after their Retry-After", async () => {
    steps = [
      {
        status: 200,
        body: {
          responses: [
            { id: "a", status: 200, body: { value: [] } },
            { id: "b", status: 429, headers: { "Retry-After": "0.15" }, body: {} },
          ],
        },
      },
      { status: 200, body: { responses: [{ id: "b", status: 200, body: { value: [] } }] } },
    ];
    const r = await graphBatch(endpoints(), "token", requests, { policy });
    expect(r.ok && [...r.responses.values()].map((x) => x.status)).toEqual([200, 200]);
    expect(hits[1]! - hits[0]!).toBeGreaterThanOrEqual(140);
  });

  it("times out a hung Graph batch", async () => {
    steps = ["hang"];
    const r = await graphBatch(endpoints(), "token", requests, { policy });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.failure).toMatchObject({ flow: "graph", kind: "timeout" });
  });
});

describe("entraFetch (next-auth's OIDC provider, the JWT validator)", () => {
  const fetchFor = entraFetch({ policy, flow: "authorization_code" });

  it("posts a form through the same retries: a 503 with Retry-After is waited for, then the answer is a Response", async () => {
    steps = [
      { status: 503, headers: { "retry-after": "0.1" }, body: { error: "temporarily_unavailable", error_codes: [90033] } },
      { status: 200, body: { access_token: "t" } },
    ];
    const response = await fetchFor(`${base}/t/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "authorization_code", code: "c" }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ access_token: "t" });
    expect(received).toHaveLength(2);
    expect(received[1]).toEqual({
      method: "POST",
      url: "/t/oauth2/v2.0/token",
      contentType: "application/x-www-form-urlencoded;charset=UTF-8",
      body: "grant_type=authorization_code&code=c",
    });
    expect(hits[1]! - hits[0]!).toBeGreaterThanOrEqual(90);
  });

  it("returns Microsoft's final error answer as it came", async () => {
    steps = [{ status: 400, body: { error: "invalid_grant", error_codes: [54005] } }];
    const response = await fetchFor(`${base}/keys`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid_grant", error_codes: [54005] });
    expect(received).toHaveLength(1);
  });

  it("refuses http and names that resolve to loopback, saying why, without connecting", async () => {
    const plain = await fetchFor(`${base.replace("https:", "http:")}/keys`).catch((x: unknown) => x);
    expect((plain as EntraCallError).failure).toMatchObject({ kind: "refused", refusal: expect.stringMatching(/does not use https/) });
    await expect(fetchFor(`${base.replace("127.0.0.1", "localhost")}/keys`)).rejects.toThrow(/resolves to a loopback address/);
    expect(hits).toHaveLength(0);
  });

  it("times out by the policy, not by a constant of its own", async () => {
    steps = ["hang"];
    const e = await fetchFor(`${base}/keys`).catch((x: unknown) => x);
    expect((e as EntraCallError).failure).toMatchObject({ kind: "timeout", attempts: 1 });
  });
});

describe("callPolicy", () => {
  it("gives people who wait (consent, sign-in) short waits and Verify All the configured ones", () => {
    expect(callPolicy("verification")).toMatchObject({ timeoutMs: 30_000, maxRetries: 4, maxRetryAfterSeconds: 120 });
    for (const purpose of ["consent", "sign_in"] as const) {
      expect(callPolicy(purpose)).toMatchObject({ timeoutMs: 15_000, maxRetries: 2, maxRetryAfterSeconds: 5 });
    }
  });
});

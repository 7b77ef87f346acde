import { once } from "node:events";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { clientAddress, compileTrust, entryToken } from "./client-address";
import { admitRequest } from "./entry";

/**
 * The HTTP entry over real sockets: a server wired like server.ts (admitRequest, then the "app"), whose
 * app answers with what the console's code would see: clientAddress() and the forwarding headers left.
 */

type Seen = { address: string; headers: IncomingHttpHeaders; bodyBytes: number };

let server: Server | undefined;

afterEach(async () => {
  server?.close();
  server = undefined;
});

async function start(trustProxy: string | undefined, limits = { api: 1024, page: 4096 }) {
  const options = { trust: compileTrust(trustProxy), entryToken: entryToken(), apiMaxBodyBytes: limits.api, pageMaxBodyBytes: limits.page };
  server = createServer((req, res) => {
    if (admitRequest(req, res, options)) return;
    let bodyBytes = 0;
    req.on("data", (c: Buffer) => (bodyBytes += c.length));
    req.on("end", () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const seen: Seen = { address: clientAddress(headers), headers: req.headers, bodyBytes };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(seen));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

function send(port: number, options: { path?: string; method?: string; headers?: Record<string, string>; body?: Buffer; chunked?: boolean }) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: options.path ?? "/", method: options.method ?? "GET", headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    if (options.body && options.chunked) {
      for (let i = 0; i < options.body.length; i += 64 * 1024) req.write(options.body.subarray(i, i + 64 * 1024));
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

async function seen(port: number, headers: Record<string, string> = {}): Promise<Seen> {
  const res = await send(port, { headers });
  expect(res.status).toBe(200);
  return JSON.parse(res.body) as Seen;
}

describe("client address at the HTTP entry", () => {
  it("without TRUST_PROXY uses the socket's address and drops every forwarding header", async () => {
    const port = await start(undefined);
    const s = await seen(port, {
      "X-Forwarded-For": "203.0.113.9, 198.51.100.1",
      "X-Real-IP": "203.0.113.10",
      "X-Forwarded-Host": "evil.example",
      "X-Forwarded-Proto": "https",
      Forwarded: "for=203.0.113.11",
    });
    expect(s.address).toBe("127.0.0.1");
    expect(s.headers["x-forwarded-host"]).toBeUndefined();
    expect(s.headers["x-forwarded-proto"]).toBeUndefined();
    expect(s.headers["x-real-ip"]).toBeUndefined();
    expect(s.headers.forwarded).toBeUndefined();
    // Next.js only fills X-Forwarded-For when it is absent: it must hold the real client, not the forged one.
    expect(s.headers["x-forwarded-for"]).toBe("127.0.0.1");
  });

  it("a client cannot forge the entry's own headers", async () => {
    const port = await start(undefined);
    const s = await seen(port, { "X-Tac-Client-Address": "203.0.113.9", "X-Tac-Entry": "guess" });
    expect(s.address).toBe("127.0.0.1");
  });

  it("with one trusted hop takes the right-most X-Forwarded-For value, never the client's left-most one", async () => {
    const port = await start("1");
    // What nginx's $proxy_add_x_forwarded_for sends when the client forged a value: forged, then real.
    const s = await seen(port, { "X-Forwarded-For": "203.0.113.9, 198.51.100.23", "X-Forwarded-Host": "console.msp.example" });
    expect(s.address).toBe("198.51.100.23");
    expect(s.headers["x-forwarded-host"]).toBe("console.msp.example");
  });

  it("with a list of trusted proxies walks past them from the right", async () => {
    const port = await start("loopback, 10.0.0.0/8");
    expect((await seen(port, { "X-Forwarded-For": "203.0.113.9, 198.51.100.23, 10.1.2.3" })).address).toBe("198.51.100.23");
    expect((await seen(port, {})).address).toBe("127.0.0.1");
  });

  it("forwarding headers of a peer that is not a trusted proxy are ignored", async () => {
    const port = await start("10.0.0.0/8");
    const s = await seen(port, { "X-Forwarded-For": "198.51.100.23", "X-Forwarded-Host": "evil.example" });
    expect(s.address).toBe("127.0.0.1");
    expect(s.headers["x-forwarded-host"]).toBeUndefined();
  });

  it("code reached without the entry's stamp records unknown", () => {
    expect(clientAddress(new Headers({ "x-tac-client-address": "203.0.113.9", "x-tac-entry": "guess" }))).toBe("unknown");
    expect(clientAddress(new Headers({ "x-forwarded-for": "203.0.113.9" }))).toBe("unknown");
  });

  it("parses TRUST_PROXY values", () => {
    expect(compileTrust(undefined)("127.0.0.1", 0)).toBe(false);
    expect(compileTrust("")("127.0.0.1", 0)).toBe(false);
    const two = compileTrust("2");
    expect([two("1.2.3.4", 0), two("1.2.3.4", 1), two("1.2.3.4", 2)]).toEqual([true, true, false]);
    const list = compileTrust("192.0.2.1, 10.0.0.0/8");
    expect([list("192.0.2.1", 0), list("10.9.8.7", 3), list("192.0.2.2", 0)]).toEqual([true, true, false]);
  });
});

describe("request bodies at the HTTP entry", () => {
  it("refuses a REST API body declared over API_MAX_BODY_BYTES before anything reads it", async () => {
    const port = await start(undefined);
    const res = await send(port, {
      path: "/api/v1/tenants",
      method: "POST",
      headers: { "content-type": "application/json" },
      body: Buffer.alloc(2 * 1024 * 1024, 0x20),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({
      status: 413,
      type: "https://tenant-access-console.local/problems/payload-too-large",
      instance: "/api/v1/tenants",
    });
  });

  it("refuses any other body declared over the server-action limit, and lets smaller ones through", async () => {
    const port = await start(undefined);
    expect((await send(port, { path: "/tenants", method: "POST", body: Buffer.alloc(8192) })).status).toBe(413);
    const small = await send(port, { path: "/tenants", method: "POST", body: Buffer.alloc(2048) });
    expect(small.status).toBe(200);
    expect((JSON.parse(small.body) as Seen).bodyBytes).toBe(2048);
    const api = await send(port, { path: "/api/v1/tenants", method: "POST", body: Buffer.alloc(1024) });
    expect((JSON.parse(api.body) as Seen).bodyBytes).toBe(1024);
  });

  it("leaves bodies without a declared length to the route handler's streaming limit", async () => {
    const port = await start(undefined);
    const res = await send(port, { path: "/api/v1/tenants", method: "POST", body: Buffer.alloc(4096), chunked: true });
    expect(res.status).toBe(200);
  });
});

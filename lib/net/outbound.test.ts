import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureTlsMaterial } from "@/emulator/certs";
import { testDataDir } from "@/emulator/testing/paths";
import { createOutboundTransport, OutboundRefusedError } from "./outbound";
import { parseAllowList, type AllowList } from "./outbound-policy";

/**
 * The guarded transport against real sockets: an HTTPS server on 127.0.0.1 whose certificate (the
 * emulator's) is valid for localhost and 127.0.0.1, and which counts the TCP connections it accepts,
 * so "refused" can be told from "connected, then failed".
 */
let server: Server;
let plain: HttpServer;
let port: number;
let plainPort: number;
let connections = 0;
let requests: { method?: string; url?: string; contentType?: string; body: string }[] = [];

function allowList(value: string): AllowList {
  const parsed = parseAllowList(value);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.list;
}

beforeAll(async () => {
  const tls = ensureTlsMaterial(testDataDir());
  server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertPem }, (req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      requests.push({ method: req.method, url: req.url, contentType: req.headers["content-type"], body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
  plain = createHttpServer((_req, res) => res.end(JSON.stringify({ keys: [] })));
  plain.on("connection", () => connections++);
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
  plainPort = (plain.address() as AddressInfo).port;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
  plain.closeAllConnections();
  plain.close();
});

beforeEach(() => {
  connections = 0;
  requests = [];
});

const get = (transport: ReturnType<typeof createOutboundTransport>, url: string) => transport.request({ method: "GET", url, timeoutMs: 5000 });

describe("the guarded transport", () => {
  it("refuses a name that resolves to 127.0.0.1 when connecting, before any packet reaches the address", async () => {
    const e = await get(createOutboundTransport(allowList("")), `https://localhost:${port}/x`).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OutboundRefusedError);
    expect((e as Error).message).toMatch(
      new RegExp(`^localhost:${port} resolves to a loopback address (127\\.0\\.0\\.1|::1); add it to OUTBOUND_ALLOW_HOSTS if this is intended$`),
    );
    expect(connections).toBe(0);
  });

  it("connects to that name once OUTBOUND_ALLOW_HOSTS lists it (by name, or its addresses by CIDR)", async () => {
    expect((await get(createOutboundTransport(allowList("localhost")), `https://localhost:${port}/x`)).status).toBe(200);
    expect((await get(createOutboundTransport(allowList(`localhost:${port}`)), `https://localhost:${port}/x`)).status).toBe(200);
    expect((await get(createOutboundTransport(allowList("127.0.0.0/8, ::1/128")), `https://localhost:${port}/x`)).status).toBe(200);
    expect(requests).toHaveLength(3);
  });

  it("does not let an allowed IP literal stand for the names that resolve to it", async () => {
    const transport = createOutboundTransport(allowList("127.0.0.1"));
    expect((await get(transport, `https://127.0.0.1:${port}/x`)).status).toBe(200);
    await expect(get(transport, `https://localhost:${port}/x`)).rejects.toThrow(/resolves to a loopback address/);
  });

  it("refuses loopback literals on any port, and the other port of an allowed host:port", async () => {
    const transport = createOutboundTransport(allowList("127.0.0.1:1"));
    await expect(get(transport, `https://127.0.0.1:${port}/x`)).rejects.toThrow(
      `127.0.0.1:${port} is a loopback address; add it to OUTBOUND_ALLOW_HOSTS if this is intended`,
    );
    await expect(get(transport, `https://[::ffff:127.0.0.1]:${port}/x`)).rejects.toThrow(/is a loopback address/);
    await expect(get(transport, `https://2130706433:${port}/x`)).rejects.toThrow(`127.0.0.1:${port} is a loopback address`);
    expect(connections).toBe(0);
  });

  it("refuses plain http, even to an allowed host", async () => {
    const transport = createOutboundTransport(allowList("127.0.0.1"));
    await expect(get(transport, `http://127.0.0.1:${plainPort}/keys`)).rejects.toThrow(
      `http://127.0.0.1:${plainPort} does not use https; calls to Microsoft must use https`,
    );
    expect(connections).toBe(0);
  });
});

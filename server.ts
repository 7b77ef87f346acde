import { createServer } from "node:http";
import { parseArgs } from "node:util";
import next from "next";
import { env } from "@/lib/env";
import { SERVER_ACTION_BODY_LIMIT_BYTES } from "@/lib/net/body-limits";
import { compileTrust, entryToken } from "@/lib/net/client-address";
import { admitRequest } from "@/lib/net/entry";

/**
 * The console's HTTP server (`npm run start`, `npm run console`, `npm run dev`): Next.js behind a thin
 * entry that knows the socket, which Next.js route handlers never see. It decides the client's address
 * from TRUST_PROXY, drops forwarding headers of untrusted peers and refuses oversized bodies
 * (lib/net/entry.ts), then hands the request to Next.js.
 * Usage: tsx server.ts [--dev] [-p port] [-H hostname]
 * @see node_modules/next/dist/docs/01-app/02-guides/custom-server.md
 */

const { values } = parseArgs({
  options: { dev: { type: "boolean", default: false }, port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } },
});
const dev = values.dev ?? false;
const port = values.port !== undefined ? Number(values.port) : env.PORT;
const hostname = values.hostname;
if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`Invalid port: ${values.port}`);

const options = {
  trust: compileTrust(env.TRUST_PROXY),
  entryToken: entryToken(),
  apiMaxBodyBytes: env.API_MAX_BODY_BYTES,
  pageMaxBodyBytes: SERVER_ACTION_BODY_LIMIT_BYTES,
};

const server = createServer((req, res) => {
  if (admitRequest(req, res, options)) return;
  void handle(req, res);
});
const app = next({ dev, hostname: hostname ?? "localhost", port, httpServer: server });
const handle = app.getRequestHandler();
await app.prepare();
server.listen(port, hostname, () => {
  const address = server.address();
  const shown = typeof address === "object" && address ? `${hostname ?? "localhost"}:${address.port}` : String(address);
  console.log(`> Tenant Access Console ${dev ? "(development) " : ""}listening on http://${shown}`);
});

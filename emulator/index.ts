import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureTlsMaterial, spkiFingerprint } from "./certs.js";
import { EmulatorClock } from "./clock.js";
import { EmulatorControlClient } from "./control-client.js";
import { loadScenarioFile, type Scenario, type ScenarioInput } from "./scenario.js";
import { EmulatorHandlers } from "./server.js";
import { EmulatorState } from "./state.js";
import type { EmulatorUrls } from "./tokens.js";

export { EmulatorClock } from "./clock.js";
export { EmulatorControlClient } from "./control-client.js";
export { createSelfSignedCertificate, ensureTlsMaterial, spkiFingerprint, thumbprints, type CertificateAndKey } from "./certs.js";
export {
  parseScenario,
  loadScenarioFile,
  scenarioSchema,
  type Scenario,
  type ScenarioInput,
  type Tenant,
  type User,
  type ProviderApp,
  type AppRegistration,
  type AppRole,
  type AppRoleAssignment,
  type Group,
  type GroupMembershipClaim,
  GROUP_MEMBERSHIP_CLAIM_VALUES,
} from "./scenario.js";
export { EmulatorState, GRAPH_APP_ID, GRAPH_PUBLIC_URL } from "./state.js";
export type {
  ArmedInteraction,
  CountersSnapshot,
  FailOptions,
  HangOptions,
  LatencyOptions,
  NewSecret,
  RequestLogEntry,
  SetClockOptions,
  ThrottleOptions,
} from "./state.js";
export type { EmulatorUrls } from "./tokens.js";
export { MAILBOX_LIMIT, Mailboxes, type MailAddress, type MailboxSummary, type MailMessage } from "./mail.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, ".data", "emulator");
export const DEMO_SCENARIO_PATH = path.join(REPO_ROOT, "emulator", "scenarios", "demo.json");
/** A second cloud's directory (its own provider app, home tenant and customers): a second instance started with it serves one console as another cloud. */
export const SECOND_CLOUD_SCENARIO_PATH = path.join(REPO_ROOT, "emulator", "scenarios", "second-cloud.json");

export interface StartEmulatorOptions {
  /** Login origin port; 0 picks a free one. Default 8443. */
  port?: number;
  /** Graph origin port; 0 picks a free one. Default 8444. */
  graphPort?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Where the CA and server certificate live. Default <repo>/.data/emulator. */
  dataDir?: string;
  /** A scenario object or a path to a scenario JSON file. Default emulator/scenarios/demo.json. */
  scenario?: ScenarioInput | Scenario | string;
  /** A clock to share, or an initial offset. */
  clock?: EmulatorClock | { offsetMs?: number };
}

export interface RunningEmulator extends EmulatorUrls {
  /** https://127.0.0.1:PORT: the authority host, like https://login.microsoftonline.com. */
  loginUrl: string;
  /** https://127.0.0.1:GPORT: a separate origin, like https://graph.microsoft.com. */
  graphUrl: string;
  /** "127.0.0.1:PORT", for msal-node's knownAuthorities. */
  authorityHost: string;
  graphHost: string;
  caCertPath: string;
  /** For Chromium's --ignore-certificate-errors-spki-list (Playwright launch args). */
  serverSpkiFingerprint: string;
  /** In-process access to the directory, faults, counters and every control operation. */
  state: EmulatorState;
  control: EmulatorControlClient;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on("secureConnection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return sockets;
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? "127.0.0.1";
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const tls = ensureTlsMaterial(dataDir);
  const scenarioInput = options.scenario ?? DEMO_SCENARIO_PATH;
  const scenario = typeof scenarioInput === "string" ? loadScenarioFile(scenarioInput) : scenarioInput;
  const clock = options.clock instanceof EmulatorClock ? options.clock : new EmulatorClock(options.clock);
  const state = new EmulatorState(scenario, clock);

  // Handlers need both URLs, which exist only once both listeners have their ports.
  const routing: { handlers?: EmulatorHandlers } = {};
  const onError = (res: import("node:http").ServerResponse, error: unknown) => {
    if (!res.headersSent) {
      res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: "server_error", error_description: error instanceof Error ? error.message : String(error) }));
    } else {
      res.destroy();
    }
  };
  const tlsOptions = { key: tls.serverKeyPem, cert: tls.serverCertPem, keepAliveTimeout: 65_000 };
  const loginServer = createServer(tlsOptions, (req, res) => {
    routing.handlers!.login(req, res).catch((error: unknown) => onError(res, error));
  });
  const graphServer = createServer(tlsOptions, (req, res) => {
    routing.handlers!.graphRequest(req, res).catch((error: unknown) => onError(res, error));
  });
  const loginSockets = trackSockets(loginServer);
  const graphSockets = trackSockets(graphServer);

  const loginPort = await listen(loginServer, options.port ?? 8443, host);
  const graphPort = await listen(graphServer, options.graphPort ?? 8444, host);
  // Bound to every interface, the emulator still advertises loopback: the certificate names only loopback.
  const advertised = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const hostPart = advertised.includes(":") ? `[${advertised}]` : advertised;
  const urls: EmulatorUrls = {
    loginUrl: `https://${hostPart}:${loginPort}`,
    graphUrl: `https://${hostPart}:${graphPort}`,
    authorityHost: `${hostPart}:${loginPort}`,
    graphHost: `${hostPart}:${graphPort}`,
  };
  routing.handlers = new EmulatorHandlers(state, urls);

  const closeServer = (server: Server, sockets: Set<Socket>) =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Hanging requests (an injected fault) and idle keep-alive sockets would otherwise keep close() waiting.
      for (const socket of sockets) socket.destroy();
    });

  return {
    ...urls,
    caCertPath: tls.caCertPath,
    serverSpkiFingerprint: spkiFingerprint(tls.serverCertPem),
    state,
    control: new EmulatorControlClient(urls.loginUrl),
    close: async () => {
      await Promise.all([closeServer(loginServer, loginSockets), closeServer(graphServer, graphSockets)]);
    },
  };
}

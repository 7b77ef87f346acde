import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

// npm run demo: the emulator with its demo scenario, a fresh demo database seeded with its tenants and a
// provider app configured for the emulator, a demo admin, and the console, all on this machine.
// Everything the console does here goes through its normal code paths and the emulator's Entra-shaped
// endpoints; the seeding completes real consent flows as each customer's administrator would.
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "3000" },
    "emulator-port": { type: "string", default: "8443" },
    "graph-port": { type: "string", default: "8444" },
    "no-start": { type: "boolean", default: false },
    "data-dir": { type: "string", default: ".data/demo" },
  },
});
const port = Number(values.port);
const root = process.cwd();
const dataDir = path.resolve(root, values["data-dir"]);
const emulatorDir = path.join(root, ".data", "demo-emulator");
const appUrl = `http://localhost:${port}`;

fs.rmSync(dataDir, { recursive: true, force: true });
fs.mkdirSync(dataDir, { recursive: true });
// lib/env.ts reads these when first imported, below.
process.env.DATA_DIR = dataDir;
process.env.APP_URL = appUrl;
delete process.env.DATABASE_URL;
// The emulator listens on 127.0.0.1, an address the console refuses to call unless it is listed.
const emulatorHosts = [`127.0.0.1:${values["emulator-port"]}`, `127.0.0.1:${values["graph-port"]}`];
process.env.OUTBOUND_ALLOW_HOSTS = [process.env.OUTBOUND_ALLOW_HOSTS, ...emulatorHosts].filter(Boolean).join(",");

const { startEmulator, DEMO_SCENARIO_PATH } = await import("@/emulator/index");
const emu = await startEmulator({
  port: Number(values["emulator-port"]),
  graphPort: Number(values["graph-port"]),
  dataDir: emulatorDir,
  scenario: DEMO_SCENARIO_PATH,
});
const { env } = await import("@/lib/env");
const { migrateDatabase } = await import("@/lib/migrations");
const { seedDemo } = await import("./demo-seed");
await migrateDatabase(env.DATABASE_URL);
const redirectUrl = `${appUrl}/authenticate/OAuth2Callback`;
emu.state.setRedirectUris(emu.state.scenario.providerApp.clientId, [redirectUrl]);
const password = randomBytes(12).toString("base64url");
const summary = await seedDemo({ emu, redirectUrl, adminEmail: "demo@console.local", adminPassword: password });

const line = "─".repeat(72);
console.log(`\n${line}`);
console.log(" Tenant Access Console demo");
console.log(` Console:   ${appUrl}/sign-in`);
console.log(` Sign in:   demo@console.local  /  ${password}`);
console.log(` Tenants:   ${summary.tenants} seeded, first verification: ${summary.verified} verified, ${summary.warnings} warnings, ${summary.failed} failed`);
console.log(` Alerts:    ${summary.tags} tags, ${summary.incidents} open incidents, ${summary.emails} emails to the NOC (channel "NOC mailbox")`);
console.log(` Mailboxes: ${new URL("/mailboxes", emu.loginUrl).toString()} (the MSP's and the customers' mail)`);
console.log(` Emulator:  ${emu.loginUrl} (Entra ID), ${emu.graphUrl} (Graph); CA ${emu.caCertPath}`);
console.log("            Consent pages are served by the emulator: accept its certificate in the browser");
console.log(`            (or import the CA). Customer admins sign in with their UPN and password Demo-Passw0rd!`);
console.log(line);

if (values["no-start"]) {
  await emu.close();
  process.exit(0);
}
spawnSync("bash", ["scripts/build-if-needed.sh"], { stdio: "inherit" });
const server = spawn("npx", ["--no-install", "tsx", "server.ts", "-p", String(port)], {
  stdio: "inherit",
  env: { ...process.env, NODE_ENV: "production", DATA_DIR: dataDir, APP_URL: appUrl, NODE_EXTRA_CA_CERTS: emu.caCertPath },
});
const stop = () => {
  server.kill("SIGTERM");
  void emu.close().then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
server.once("exit", (code) => {
  void emu.close().then(() => process.exit(code ?? 0));
});

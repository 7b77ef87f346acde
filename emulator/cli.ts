import { parseArgs } from "node:util";
import { DEMO_SCENARIO_PATH, startEmulator } from "./index.js";

/**
 * Standalone emulator: `npm run emulator` or
 * `npx tsx emulator/cli.ts [--port 8443] [--graph-port 8444] [--scenario emulator/scenarios/demo.json] [--data-dir .data/emulator] [--host 127.0.0.1]`
 */

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8443" },
    "graph-port": { type: "string", default: "8444" },
    scenario: { type: "string", default: DEMO_SCENARIO_PATH },
    "data-dir": { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
  },
});

const emu = await startEmulator({
  port: Number(values.port),
  graphPort: Number(values["graph-port"]),
  scenario: values.scenario,
  dataDir: values["data-dir"],
  host: values.host,
});

const provider = emu.state.scenario.providerApp;
console.log(`Entra ID emulator (${emu.state.scenario.name ?? "scenario"}: ${emu.state.scenario.tenants.length} tenants)`);
console.log(`  login (authority host): ${emu.loginUrl}`);
console.log(`  Microsoft Graph:        ${emu.graphUrl}`);
console.log(`  control API:            ${emu.loginUrl}/_emulator/ (loopback only)`);
console.log(`  CA certificate:         ${emu.caCertPath}`);
console.log(`  server SPKI (Chromium): ${emu.serverSpkiFingerprint}`);
console.log(`  provider app:           ${provider.clientId} (home tenant ${provider.homeTenantId})`);
console.log("");
console.log(`Trust the CA in Node processes with NODE_EXTRA_CA_CERTS=${emu.caCertPath}`);
console.log(`Open ${emu.loginUrl}/ in a browser (after trusting the CA) for admin-consent links.`);

const shutdown = () => {
  void emu.close().then(() => process.exit(0));
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);

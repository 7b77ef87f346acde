// E2E_PORT, E2E_EMULATOR_PORT and E2E_GRAPH_PORT let two checkouts run their suites side by side; the
// second emulator instance (a second cloud, e2e/mixed-fleet.spec.ts) takes the two ports after them unless
// E2E_EMULATOR2_PORT and E2E_GRAPH2_PORT say otherwise.
export const CONSOLE_PORT = Number(process.env.E2E_PORT ?? 3100);
export const EMULATOR_PORT = Number(process.env.E2E_EMULATOR_PORT ?? 9443);
export const GRAPH_PORT = Number(process.env.E2E_GRAPH_PORT ?? 9444);
export const baseURL = `http://localhost:${CONSOLE_PORT}`;
export const EMULATOR2_PORT = Number(process.env.E2E_EMULATOR2_PORT ?? GRAPH_PORT + 1);
export const GRAPH2_PORT = Number(process.env.E2E_GRAPH2_PORT ?? EMULATOR2_PORT + 1);
/** A spec's own HTTPS receiver (e2e/channels.spec.ts: a webhook channel), allowed in the console's OUTBOUND_ALLOW_HOSTS. */
export const RECEIVER_PORT = Number(process.env.E2E_RECEIVER_PORT ?? GRAPH2_PORT + 1);

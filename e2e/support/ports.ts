// E2E_PORT, E2E_EMULATOR_PORT and E2E_GRAPH_PORT let two checkouts run their suites side by side.
export const CONSOLE_PORT = Number(process.env.E2E_PORT ?? 3100);
export const EMULATOR_PORT = Number(process.env.E2E_EMULATOR_PORT ?? 9443);
export const GRAPH_PORT = Number(process.env.E2E_GRAPH_PORT ?? 9444);
export const baseURL = `http://localhost:${CONSOLE_PORT}`;

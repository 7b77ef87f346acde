import { ensureTlsMaterial } from "../certs.js";
import { testDataDir } from "./paths.js";

/**
 * Runs in vitest's main process before it forks test workers. NODE_EXTRA_CA_CERTS is read only when a
 * Node process starts, so setting it here (and not in a test file) is what lets every worker's https,
 * fetch and msal-node trust the emulator. Workers are child processes (the default `forks` pool) and
 * inherit this environment; emulator/trust.test.ts fails loudly if that ever stops being true.
 */
export default function setup(): void {
  const tls = ensureTlsMaterial(testDataDir());
  process.env.NODE_EXTRA_CA_CERTS = tls.caCertPath;
  process.env.EMULATOR_TEST_DATA_DIR = testDataDir();
}

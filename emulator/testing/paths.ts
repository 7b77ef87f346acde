import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The fixed data dir whose CA the vitest global setup trusts; pass it to startEmulator in tests. */
export function testDataDir(): string {
  return path.join(repoRoot, ".data", "emulator-test");
}

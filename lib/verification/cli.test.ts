import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { testDataDir } from "@/emulator/testing/paths";
import { buildScenario, customerFixture, FIXTURE, prepareDatabase, seedProvider, seedTenant } from "./testing";

let emu: RunningEmulator;
let env: NodeJS.ProcessEnv;
const customers = [1, 2, 3, 4].map((i) => customerFixture(i));

beforeAll(async () => {
  const { url, dir } = await prepareDatabase();
  env = { ...process.env, DATABASE_URL: url, DATA_DIR: dir, NODE_ENV: "test" };
  const { startEmulator } = await import("@/emulator/index");
  emu = await startEmulator({ port: 0, graphPort: 0, dataDir: testDataDir(), scenario: buildScenario(customers) });
  await seedProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
  for (const c of customers) await seedTenant({ customer: c, method: "APP_REGISTRATION", customerId: `CUST-${c.index}` });
});

afterAll(async () => {
  await emu?.close();
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npx", ["tsx", "--conditions=react-server", "scripts/verify.ts", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

// Each case starts the CLI as a process of its own.
describe("npm run verify", { timeout: 120_000 }, () => {
  it("verifies one tenant by customer id and exits 0", async () => {
    const r = await cli(["--tenant", "CUST-1"]);
    expect(r.stdout).toContain("CUST-1");
    expect(r.stdout).toContain("VERIFIED");
    expect(r.code).toBe(0);
  }, 60_000);

  it("runs Verify All, prints a summary, and exits 1 when a tenant failed", async () => {
    emu.state.revokeConsent(customers[1]!.tenantId, FIXTURE.providerClientId);
    const r = await cli(["--all"]);
    expect(r.stdout).toMatch(/completed in .* 4 tenants, 3 verified, 0 warnings, 1 failed/);
    expect(r.stdout).toContain("Changes: 3 verified, 1 newly failed, 0 recovered, 0 still failing, 0 blocked.");
    expect(r.stdout).toContain("APP_NOT_IN_TENANT");
    expect(r.code).toBe(1);
  }, 60_000);

  it("exits 2 on bad usage", async () => {
    expect((await cli([])).code).toBe(2);
  }, 60_000);
});

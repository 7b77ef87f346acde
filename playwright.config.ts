import { defineConfig, devices } from "@playwright/test";
import { baseURL, CONSOLE_PORT as PORT, EMULATOR2_PORT, EMULATOR_PORT, GRAPH2_PORT, GRAPH_PORT, RECEIVER_PORT } from "./e2e/support/ports";

export { baseURL };

// Debian's Chromium (installed by .ci/run): nothing is downloaded. The flags keep Chromium from calling
// Google services, which this machine's closed network refuses.
const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export default defineConfig({
  testDir: "./e2e",
  testMatch: "**/*.spec.ts",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  outputDir: "test-results",
  globalSetup: "./e2e/global-setup.ts",
  use: {
    baseURL,
    trace: "retain-on-failure",
    // Chromium reaches the emulator's pages (Microsoft's sign-in and consent) over its own local CA.
    ignoreHTTPSErrors: true,
    screenshot: "only-on-failure",
    launchOptions: { executablePath: "/usr/bin/chromium", args: chromiumArgs },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], channel: undefined } }],
  // The emulators first (the console's app registrations point at them), then the console. All trust the
  // emulator's CA through NODE_EXTRA_CA_CERTS, exported by e2e/run.sh.
  webServer: [
    {
      command: `npx --no-install tsx emulator/cli.ts --port ${EMULATOR_PORT} --graph-port ${GRAPH_PORT} --data-dir .data/e2e-emulator`,
      url: `https://127.0.0.1:${EMULATOR_PORT}/organizations/v2.0/.well-known/openid-configuration`,
      ignoreHTTPSErrors: true,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    // A second instance with a directory of its own, as a second cloud (e2e/mixed-fleet.spec.ts). It shares
    // the first one's data directory, so one CA (created by e2e/run.sh before either starts) covers both.
    {
      command: `npx --no-install tsx emulator/cli.ts --port ${EMULATOR2_PORT} --graph-port ${GRAPH2_PORT} --scenario emulator/scenarios/second-cloud.json --data-dir .data/e2e-emulator`,
      url: `https://127.0.0.1:${EMULATOR2_PORT}/organizations/v2.0/.well-known/openid-configuration`,
      ignoreHTTPSErrors: true,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command: "bash e2e/start-server.sh",
      url: `${baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 300_000,
      stdout: "pipe",
      stderr: "pipe",
      // No scheduled runs: specs decide when tenants are verified. API specs use a fresh token per test;
      // 120 requests a minute is far above any test's own use and low enough for e2e/api.spec.ts to exceed.
      // The emulators' hosts and a spec's receiver (RECEIVER_PORT) are the only loopback addresses the console may call.
      env: {
        PORT: String(PORT),
        APP_URL: baseURL,
        DATA_DIR: ".data/e2e",
        VERIFY_SCHEDULE_HOURS: "0",
        // Consent confirmation's retries (CONSENT_CONFIRM_…): every second or two instead of 5 s doubling, so a spec waits seconds.
        CONSENT_CONFIRM_BACKOFF_SECONDS: "1",
        CONSENT_CONFIRM_BACKOFF_MAX_SECONDS: "2",
        API_RATE_LIMIT_PER_MINUTE: "120",
        // Alerts and campaign emails: the outbox is looked at every second, so a spec waits a second or two.
        NOTIFY_TICK_SECONDS: "1",
        OUTBOUND_ALLOW_HOSTS: [EMULATOR_PORT, GRAPH_PORT, EMULATOR2_PORT, GRAPH2_PORT, RECEIVER_PORT].map((port) => `127.0.0.1:${port}`).join(","),
      },
    },
  ],
});

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";

describe("npm run demo", () => {
  it("starts the emulator, seeds the demo tenants through real consent flows and verifies them", () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tac-demo-"));
    const result = spawnSync(
      "bash",
      ["scripts/demo.sh", "--no-start", "--data-dir", dataDir, "--port", "3590", "--emulator-port", "9593", "--graph-port", "9594"],
      {
        encoding: "utf8",
        env: { ...process.env, DATA_DIR: undefined, DATABASE_URL: undefined },
        timeout: 240_000,
      },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Sign in:\s+demo@console\.local\s+\/\s+\S{12,}/);
    expect(result.stdout).toMatch(/Tenants:\s+26 seeded/);
    // Alerts: tags, the Graph mail channel's first emails (one per incident) and the mailboxes page.
    const alerts = /Alerts:\s+(\d+) tags, (\d+) open incidents, (\d+) emails/.exec(result.stdout);
    expect(alerts).not.toBeNull();
    expect(Number(alerts![1])).toBe(3);
    expect(Number(alerts![2])).toBeGreaterThanOrEqual(5);
    // One email per incident, and one for the first run's new failures.
    expect(Number(alerts![3])).toBe(Number(alerts![2]) + 1);
    expect(result.stdout).toMatch(/Mailboxes: https:\/\/127\.0\.0\.1:9593\/mailboxes/);

    const db = new Database(path.join(dataDir, "console.db"), { readonly: true });
    const rows = db.prepare("SELECT customerId, lastStatus, lastStatusCode, lastCheckCode FROM Tenant").all() as {
      customerId: string;
      lastStatus: string;
      lastStatusCode: string;
      lastCheckCode: string | null;
    }[];
    const statuses = Object.fromEntries(rows.map((t) => [t.customerId, `${t.lastStatus}:${t.lastStatusCode}`]));
    const lastChecks = Object.fromEntries(rows.map((t) => [t.customerId, t.lastCheckCode]));
    const incidents = db.prepare("SELECT COUNT(*) AS n FROM Incident WHERE openKey IS NOT NULL").get() as { n: number };
    const delivered = db.prepare("SELECT status, COUNT(*) AS n FROM Notification GROUP BY status").all() as { status: string; n: number }[];
    db.close();
    expect(incidents.n).toBe(Number(alerts![2]));
    expect(delivered).toEqual([{ status: "DELIVERED", n: incidents.n + 1 }]);
    // The realistic mix a new user sees.
    expect(statuses.contosodental).toBe("VERIFIED:VERIFIED");
    expect(statuses.margiestravel).toBe("VERIFIED:VERIFIED");
    expect(statuses.wingtiptoys).toBe("FAILED:SECRET_EXPIRED");
    expect(statuses.alpineskihouse).toBe("FAILED:INVALID_SECRET");
    expect(statuses.treyresearch).toBe("FAILED:REAUTHORIZATION_REQUIRED");
    expect(statuses.humongousinsurance).toBe("FAILED:MFA_REQUIRED");
    // Throttled on its first check: transient, so the failure policy keeps its status and shows the check beside it.
    expect(statuses.fourthcoffee).toBe("NEVER:null");
    expect(lastChecks.fourthcoffee).toBe("THROTTLED");
    expect(statuses.blueyonderairlines).toBe("WARNING:LEGACY_METHOD");
    expect(statuses["school-of-fine-art"]).toBe("FAILED:TENANT_NOT_FOUND");
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 300_000);
});

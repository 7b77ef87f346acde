import { beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/index";
import { TEST } from "@/emulator/testing/index";
import { withTestEmulator } from "@/emulator/testing/vitest-hooks";
import { db } from "@/lib/db";
import { clearAuthorityMetadata } from "@/lib/entra/authority";
import { providerSettingsSchema } from "@/lib/validations/provider";
import { applyProviderSettings } from "./settings";
import { testProviderApp } from "./test-connection";
import { emulatorProviderValues } from "./testing";

// The provider app Test (Settings → Provider app) against the emulator on 127.0.0.1, the one host
// OUTBOUND_ALLOW_HOSTS lists in tests (lib/testing/setup-env.ts).
let emu: RunningEmulator;
withTestEmulator((e) => (emu = e));

const actor = { type: "admin" as const, id: "admin-1", label: "ops@msp.example" };

/** Stores the provider app; hosts bypass Apply's checks, like a row saved before them or a name whose DNS changed since. */
async function storeProvider(hosts: { authorityHost: string; graphHost: string }) {
  const values = providerSettingsSchema.parse(emulatorProviderValues(emu, { scopes: "User.Read" }));
  const current = await db.appRegistration.findUnique({ where: { id: "provider" } });
  const result = await applyProviderSettings({
    values: { ...values, customAuthorityHost: hosts.authorityHost, customGraphHost: hosts.graphHost },
    certificate: null,
    expectedVersion: current?.version ?? 0,
    actor,
    requestId: "r1",
  });
  expect(result.ok).toBe(true);
}

beforeEach(() => {
  clearAuthorityMetadata();
});

describe("testProviderApp and the outbound policy", () => {
  it("passes against the emulator on its allowed host", async () => {
    await storeProvider({ authorityHost: emu.authorityHost, graphHost: emu.graphHost });
    expect(await testProviderApp()).toMatchObject({ ok: true, tenantId: TEST.homeTenantId });
  });

  it("fails with the guard's reason when the Custom cloud's authority host is a name resolving to loopback that is not allowed", async () => {
    const authorityHost = emu.authorityHost.replace("127.0.0.1", "localhost");
    await storeProvider({ authorityHost, graphHost: emu.graphHost });
    const before = emu.state.requestLog().length;
    const result = await testProviderApp();
    expect(result).toMatchObject({ ok: false, reason: "HOST_NOT_ALLOWED", title: "Host not allowed", diagnostics: { libraryCode: "ERR_OUTBOUND_REFUSED" } });
    expect(!result.ok && result.explanation).toMatch(
      new RegExp(`^Refused: ${authorityHost} resolves to a loopback address (127\\.0\\.0\\.1|::1); add it to OUTBOUND_ALLOW_HOSTS if this is intended\\.`),
    );
    expect(!result.ok && result.remediation).toMatch(/OUTBOUND_ALLOW_HOSTS/);
    // Nothing reached the emulator: the refusal came before the connection.
    expect(emu.state.requestLog()).toHaveLength(before);
  });
});

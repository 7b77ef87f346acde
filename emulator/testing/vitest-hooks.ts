import { afterAll, beforeAll, beforeEach } from "vitest";
import type { RunningEmulator, StartEmulatorOptions } from "../index.js";
import { startTestEmulator } from "./fixtures.js";

/**
 * The usual life of an emulator in a test file: started once for the file, back to its scenario before
 * each test, closed at the end. Kept apart from ./index.ts, which non-test processes import too.
 */
export function withTestEmulator(set: (emu: RunningEmulator) => void, options: Omit<StartEmulatorOptions, "dataDir"> = {}) {
  let emu: RunningEmulator | undefined;
  beforeAll(async () => {
    emu = await startTestEmulator(options);
    set(emu);
  });
  afterAll(async () => {
    await emu?.close();
  });
  beforeEach(() => {
    emu!.state.reset();
  });
}

/**
 * The console's secret-rotation tick at a given moment, for specs that advance the clock past a rotation's
 * grace period instead of waiting hours (lib/provider/rotation.ts rotationTick takes `now`; the running
 * console ticks with the real clock). Runs as a process of its own on the e2e database:
 * `tsx --conditions=react-server e2e/support/rotation-tick.ts <ISO time>`; prints how many rotations it advanced.
 */
process.env.DATA_DIR ??= ".data/e2e";
const at = new Date(process.argv[2] ?? "");
if (Number.isNaN(at.getTime())) throw new Error("usage: rotation-tick.ts <ISO 8601 time>");
const { rotationTick } = await import("@/lib/provider/rotation");
const advanced = await rotationTick(at);
process.stdout.write(`${JSON.stringify({ advanced })}\n`);
process.exit(0);

export {};

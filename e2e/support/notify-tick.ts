/**
 * The console's alerts and campaigns tick at a given moment, for specs that advance the clock instead of
 * waiting (lib/notify notifyTick takes `now`; the running console uses the real clock). Runs as a process of
 * its own on the e2e database: `tsx --conditions=react-server e2e/support/notify-tick.ts <ISO time>`;
 * prints what the tick did as JSON.
 */
process.env.DATA_DIR ??= ".data/e2e";
const at = new Date(process.argv[2] ?? "");
if (Number.isNaN(at.getTime())) throw new Error("usage: notify-tick.ts <ISO 8601 time>");
const { notifyTick } = await import("@/lib/notify");
const summary = await notifyTick(at, { instanceId: "e2e-clock" });
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(0);

export {};

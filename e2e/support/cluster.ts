import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { testPostgresBaseUrl } from "../../lib/testing/postgres";

/**
 * Console instances for e2e/cluster-postgres.spec.ts: real console servers (`server.ts`) from the build the e2e
 * web server made (.next), each in a process group of its own so a SIGKILL takes the server itself,
 * not only npx. Their output is kept (and written to their data folder) for the report on failure.
 */

/** Why PostgreSQL cannot be used (null when it answers): the spec skips itself with this reason. */
export async function postgresUnavailable(url = testPostgresBaseUrl): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (e) {
    return `PostgreSQL is not reachable at ${new URL(url).host} (database ${new URL(url).pathname.slice(1)}): ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A free TCP port on 127.0.0.1 (closed again before it is handed out). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** name: the command line (a Node process shows its process.title there, e.g. `next-server (v16…)`), else the command. */
export type ProcessInfo = { pid: number; name: string; state: string };

/** Processes whose process group is `pgid`, from /proc: a group whose members are all zombies or gone is dead. */
export function processGroupMembers(pgid: number): ProcessInfo[] {
  const members: ProcessInfo[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp ...: comm may contain spaces and parentheses, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim().slice(0, 120);
      const name = cmdline || comm;
      if (Number(fields[2]) === pgid) members.push({ pid: Number(entry), name, state: fields[0]! });
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

export type ConsoleInstanceOptions = {
  name: string;
  port: number;
  databaseUrl: string;
  env: Record<string, string>;
};

export class ConsoleInstance {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private output = "";

  constructor(options: ConsoleInstanceOptions) {
    this.name = options.name;
    this.port = options.port;
    this.url = `http://127.0.0.1:${options.port}`;
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `tac-e2e-cluster-${options.name}-`));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: options.databaseUrl,
      DATA_DIR: this.dataDir,
      APP_URL: this.url,
    };
    // Settings a developer's shell may hold that would take the instances elsewhere (another job schema, other keys).
    for (const name of ["PGBOSS_SCHEMA", "ENCRYPTION_PREVIOUS_KEYS", "PORT", "HOSTNAME"]) delete env[name];
    Object.assign(env, options.env);
    // detached: the child leads a process group of its own (npx and the console server below it).
    this.child = spawn("npx", ["--no-install", "tsx", "server.ts", "-H", "127.0.0.1", "-p", String(options.port)], {
      cwd: process.cwd(),
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const record = (d: Buffer) => {
      this.output += d.toString();
      if (this.output.length > 200_000) this.output = this.output.slice(-100_000);
    };
    this.child.stdout!.on("data", record);
    this.child.stderr!.on("data", record);
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** What the instance printed (stdout and stderr interleaved). */
  log(): string {
    return this.output;
  }

  /** Resolves once GET /api/health answers 200; rejects if the process exits first or the time runs out. */
  async waitForHealth(timeoutMs: number): Promise<number> {
    const started = Date.now();
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    void this.exited.then((e) => (exited = e));
    while (Date.now() - started < timeoutMs) {
      if (exited) throw new Error(`console ${this.name} exited before it was healthy (${JSON.stringify(exited)}):\n${this.output.slice(-4000)}`);
      try {
        const res = await fetch(`${this.url}/api/health`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return Date.now() - started;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`console ${this.name} not healthy after ${timeoutMs} ms:\n${this.output.slice(-4000)}`);
  }

  /**
   * SIGSTOP to the whole process group; resolves when every member is stopped. A stopped console neither
   * claims nor finishes work and keeps its database rows as they are, so what it held can be read before
   * it is killed; its pid still exists, so the other instances do not take its work over yet.
   */
  async freezeGroup(timeoutMs = 10_000): Promise<void> {
    process.kill(-this.pid, "SIGSTOP");
    const deadline = Date.now() + timeoutMs;
    while (this.aliveMembers().some((m) => m.state !== "T")) {
      if (Date.now() > deadline)
        throw new Error(`console ${this.name}: process group ${this.pid} not stopped after SIGSTOP: ${JSON.stringify(this.aliveMembers())}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SIGKILL to the whole process group; resolves when no member is left alive (zombies count as dead). */
  async killGroup(signal: NodeJS.Signals = "SIGKILL", timeoutMs = 10_000): Promise<void> {
    try {
      process.kill(-this.pid, signal);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
    }
    const deadline = Date.now() + timeoutMs;
    while (this.aliveMembers().length > 0) {
      if (Date.now() > deadline)
        throw new Error(`console ${this.name}: process group ${this.pid} still has live members after ${signal}: ${JSON.stringify(this.aliveMembers())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Members of the instance's process group that are not zombies. */
  aliveMembers(): ProcessInfo[] {
    return processGroupMembers(this.pid).filter((m) => m.state !== "Z");
  }

  /** SIGTERM (the console releases its jobs), then SIGKILL after `graceMs`; never throws. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.aliveMembers().length === 0) return;
    try {
      process.kill(-this.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
    const deadline = Date.now() + graceMs;
    while (this.aliveMembers().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await this.killGroup("SIGKILL").catch(() => {});
  }

  /** Keeps the instance's output beside its data (for a failed run's report); returns the file. */
  saveLog(): string {
    const file = path.join(this.dataDir, "server.log");
    fs.writeFileSync(file, this.output);
    return file;
  }

  removeDataDir() {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

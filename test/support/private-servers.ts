// Throwaway PostgreSQL and Redis servers on free loopback ports, for tests and failure runs that
// stop and restart them: the shared servers of the machine are never touched. PostgreSQL comes
// from Debian's binaries (/usr/lib/postgresql/<version>/bin); initdb refuses to run as root, so
// as root the cluster belongs to the `postgres` system user.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./instance.ts";
import { accepting } from "./processes.ts";

function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, "bin/initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], "bin") : undefined;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as `postgres` when this process is root. */
function pgExec(bin: string, tool: string, args: string[]): string {
  const command = asRoot ? "runuser" : path.join(bin, tool);
  const argv = asRoot ? ["-u", "postgres", "--", path.join(bin, tool), ...args] : args;
  return execFileSync(command, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export interface PrivatePostgres {
  /** Base URL of the cluster's `postgres` database (user postgres, trust). */
  url: string;
  port: number;
  stop(): void;
  start(): void;
  /** Stops the cluster for good and removes its files. */
  destroy(): void;
}

/** A new cluster, or undefined when PostgreSQL's binaries are not installed here. */
export async function startPrivatePostgres(): Promise<PrivatePostgres | undefined> {
  const bin = postgresBin();
  if (!bin) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-pg-"));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, "data");
  fs.mkdirSync(data, { mode: 0o700 });
  if (asRoot) execFileSync("chown", ["-R", "postgres:postgres", dir]);
  pgExec(bin, "initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const log = path.join(dir, "log");
  const start = () => {
    pgExec(bin, "pg_ctl", ["-D", data, "-o", options, "-l", log, "-w", "-t", "60", "start"]);
  };
  const stop = () => {
    pgExec(bin, "pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]);
  };
  start();
  let destroyed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        pgExec(bin, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * A redis-server on a free port, or undefined when it is not installed. It keeps an append-only
 * file synced at every write, as a production Redis holding jobs should, so a stop and restart
 * loses nothing it acknowledged.
 */
export async function startPrivateRedis(): Promise<PrivateRedis | undefined> {
  const binary = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((p) =>
    fs.existsSync(p),
  );
  if (!binary) return undefined;
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-redis-"));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      binary,
      [
        ...["--port", String(port), "--bind", "127.0.0.1", "--save", ""],
        ...["--appendonly", "yes", "--appendfsync", "always", "--dir", dir],
      ],
      { cwd: dir, stdio: "ignore" },
    );
    // Ready when it accepts a connection.
    if (await accepting(port)) return;
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGTERM");
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async destroy() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

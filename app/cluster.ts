// Several web processes on one port (WEB_PROCESSES, ADR 0155): this primary process forks them
// with node:cluster, which hands each new connection to one of them in turn. Sessions (Redis
// or PostgreSQL), rate limits (Redis) and the short-lived caches (5 s, read again from the
// database) are shared or bounded, so it does not matter which process answers.
import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";

const RESTART_DELAY_MS = 1000;
const SHUTDOWN_GRACE_MS = 30_000;

function fork(): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = cluster.fork();
    const failed = (code: number | null) =>
      reject(new Error(`a web process stopped (status ${code}) before it listened`));
    worker.once("exit", failed);
    worker.once("listening", () => {
      worker.off("exit", failed);
      resolve(worker);
    });
  });
}

/** The primary: forks `count` web processes, restarts one that dies, stops them on a signal. */
export async function runWebCluster(count: number, log: Logger): Promise<void> {
  let stopping = false;
  // The first one alone: it applies the migrations and creates the first admin.
  await fork();
  await Promise.all(Array.from({ length: count - 1 }, fork));
  log.info({ processes: count, pid: process.pid }, "web processes started");

  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    log.error({ pid: worker.process.pid, code, signal }, "a web process stopped: restarting it");
    setTimeout(() => {
      if (!stopping) fork().catch((error: unknown) => log.error({ err: error }, "restart failed"));
    }, RESTART_DELAY_MS).unref();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping the web processes");
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    force.unref();
    Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once("exit", () => resolve());
            w.process.kill(signal);
          }),
      ),
    ).then(() => process.exit(0));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

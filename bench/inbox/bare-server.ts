// Child process of the inbox benchmark's all-cores mode: the bare endpoint (bare.ts) in
// `processes` processes sharing one port (node:cluster beyond one), each with its own pool on
// the instance's database (the table is created by the benchmark beforehand). Prints
// {"url": …} once every process listens, and serves until it is sent SIGTERM.
//   node bench/inbox/bare-server.ts <postgres url> <processes>
import cluster from "node:cluster";
import { openDatabase } from "../../server/db/database.ts";
import { freePort } from "../../test/support/instance.ts";
import { startBareInbox } from "./bare.ts";

const [databaseUrl, count = "1", workerPort] = process.argv.slice(2);
if (!databaseUrl) throw new Error("usage: bare-server.ts <postgres url> <processes>");
const processes = Math.max(1, Number(count));

async function serve(port: number) {
  const handle = await openDatabase({ databaseUrl, dataDir: "" });
  const bare = await startBareInbox(handle.db, port);
  process.once("SIGTERM", () => {
    void bare
      .close()
      .then(() => handle.close())
      .then(() => process.exit(0));
  });
  return bare.url;
}

if (processes === 1) {
  const url = await serve(0);
  process.stdout.write(`${JSON.stringify({ url })}\n`);
} else if (cluster.isPrimary) {
  const port = await freePort();
  // The workers run this file too: the port they share is their third argument.
  cluster.setupPrimary({ args: [databaseUrl, count, String(port)] });
  const workers = await Promise.all(
    Array.from(
      { length: processes },
      () =>
        new Promise<ReturnType<typeof cluster.fork>>((resolve, reject) => {
          const worker = cluster.fork();
          worker.once("listening", () => resolve(worker));
          worker.once("exit", (code) => reject(new Error(`a bare process exited with ${code}`)));
        }),
    ),
  );
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/inbox` })}\n`);
  process.once("SIGTERM", () => {
    void Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once("exit", () => resolve());
            w.process.kill("SIGTERM");
          }),
      ),
    ).then(() => process.exit(0));
  });
} else {
  await serve(Number(workerPort));
}

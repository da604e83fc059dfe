// Child process of the catalogue benchmark: a Maillage instance on 127.0.0.1 with 10,000
// published offers. Prints {"url": …} once ready and serves until it is sent SIGTERM.
//   node bench/catalogue/server.ts <data dir> [<postgres url>] [<offers>]
import { sql } from "kysely";
import { loadConfig } from "../../server/config.ts";
import { startInstance } from "../../app/instance.ts";
import { createBenchAdmin } from "../admin.ts";
import { insertDemoOffers } from "../../bin/demo/demo.ts";

const [dataDir, databaseUrl, count = "10000"] = process.argv.slice(2);
if (!dataDir) throw new Error("usage: server.ts <data dir> [<postgres url>] [<offers>]");
const config = loadConfig({
  HOST: "127.0.0.1",
  PORT: "0",
  DATA_DIR: dataDir,
  LOG_LEVEL: "silent",
  PROCESS_ROLE: "web",
  ...(databaseUrl && databaseUrl !== "-" ? { DATABASE_URL: databaseUrl } : {}),
});
const instance = await startInstance(config);
await createBenchAdmin(instance.ctx);
const started = Date.now();
const offers = await insertDemoOffers(instance.ctx, Number(count), null);
// What autovacuum does on a live instance: statistics and the visibility map.
await sql`vacuum analyze offers`.execute(instance.ctx.db);
process.stdout.write(
  `${JSON.stringify({ url: instance.url, offers, seedMs: Date.now() - started, database: instance.ctx.dbKind })}\n`,
);
process.on("SIGTERM", () => {
  void instance.stop().then(() => process.exit(0));
});

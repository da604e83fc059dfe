// Child process of the catalogue benchmark: a Maillage instance on 127.0.0.1 with 10,000
// published offers. Prints {"url": …} once ready and serves until it is sent SIGTERM.
// With "rendered" and PostgreSQL, two more instances on the same database render every page
// (no page cache, as for members), one keeping offer cards (ADR 0158) and one not.
//   node bench/catalogue/server.ts <data dir> [<postgres url>] [<offers>] [rendered]
import { sql } from "kysely";
import { loadConfig } from "../../server/config.ts";
import { startInstance } from "../../app/instance.ts";
import { createBenchAdmin } from "../admin.ts";
import { insertDemoOffers } from "../../bin/demo/demo.ts";

const [dataDir, databaseUrl, count = "10000", mode] = process.argv.slice(2);
if (!dataDir) throw new Error("usage: server.ts <data dir> [<postgres url>] [<offers>]");
const env = {
  HOST: "127.0.0.1",
  PORT: "0",
  DATA_DIR: dataDir,
  LOG_LEVEL: "silent",
  PROCESS_ROLE: "web",
  ...(databaseUrl && databaseUrl !== "-" ? { DATABASE_URL: databaseUrl } : {}),
};
const instance = await startInstance(loadConfig(env));
await createBenchAdmin(instance.ctx);
const started = Date.now();
const offers = await insertDemoOffers(instance.ctx, Number(count), null);
// What autovacuum does on a live instance: statistics and the visibility map.
await sql`vacuum analyze offers`.execute(instance.ctx.db);
const rendered =
  mode === "rendered" && env.DATABASE_URL
    ? [
        await startInstance(loadConfig({ ...env, PAGE_CACHE_SECONDS: "0" })),
        await startInstance(loadConfig({ ...env, PAGE_CACHE_SECONDS: "0", CARD_CACHE_SIZE: "0" })),
      ]
    : [];
process.stdout.write(
  `${JSON.stringify({
    url: instance.url,
    offers,
    seedMs: Date.now() - started,
    database: instance.ctx.dbKind,
    ...(rendered.length ? { cardsKept: rendered[0]!.url, cardsRendered: rendered[1]!.url } : {}),
  })}\n`,
);
process.on("SIGTERM", () => {
  void Promise.all([instance, ...rendered].map((i) => i.stop())).then(() => process.exit(0));
});

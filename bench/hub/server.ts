// Child process of the hub benchmark: a hub instance (HUB=1) on 127.0.0.1 whose calendar holds
// `offers` offers aggregated from 100 member territories (remote offers of 100 followed CMCAS
// actors, as the aggregation stores them). Once seeded it measures, in this process, the hub's
// query path (the calendar's search, as the page and the API call it) against bare SQL written
// by hand that returns the same rows, then prints one JSON line and serves until SIGTERM.
//   node bench/hub/server.ts <data dir> <postgres url> [<offers>] [<iterations>]
import { sql } from "kysely";
import { loadConfig } from "../../server/config.ts";
import { startInstance } from "../../app/instance.ts";
import { createBenchAdmin } from "../admin.ts";
import { insertDemoOffers } from "../../bin/demo/demo.ts";
import { readHubSearch } from "../../server/hub/calendar.params.ts";
import { hubPage } from "../../server/hub/calendar.routes.ts";
import { regionBySlug } from "../../server/hub/regions.ts";

const [dataDir, databaseUrl, count = "100000", iterations = "200"] = process.argv.slice(2);
if (!dataDir || !databaseUrl) throw new Error("usage: server.ts <data dir> <postgres url>");
const TERRITORIES = 100;
const config = loadConfig({
  HOST: "127.0.0.1",
  PORT: "0",
  DATA_DIR: dataDir,
  LOG_LEVEL: "silent",
  PROCESS_ROLE: "web",
  HUB: "1",
  DATABASE_URL: databaseUrl,
});
const instance = await startInstance(config);
const { db } = instance.ctx;
const started = Date.now();
await createBenchAdmin(instance.ctx);

// 100 member territories: their CMCAS actors, followed by the hub's, listed as accepted members.
const actorIds: number[] = [];
for (let n = 1; n <= TERRITORIES; n++) {
  const host = `cmcas-${n}.example`;
  const row = await db
    .insertInto("federation_remote_actors")
    .values({
      uri: `https://${host}/users/cmcas`,
      host,
      type: "Organization",
      username: "cmcas",
      name: `CMCAS ${n}`,
      inbox: `https://${host}/users/cmcas/inbox`,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  actorIds.push(row.id);
  await db
    .insertInto("federation_follows")
    .values({
      local_actor: "cmcas",
      remote_actor_id: row.id,
      direction: "outgoing",
      state: "accepted",
      activity_id: `https://hub.example/activities/${n}`,
    })
    .execute();
  await db
    .insertInto("hub_members")
    .values({
      host,
      actor_uri: `https://${host}/actor`,
      name: `CMCAS ${n}`,
      state: "accepted",
      join_activity_id: `https://${host}/activities/join`,
      cmcas_actor_uri: `https://${host}/users/cmcas`,
    })
    .execute();
}
const offers = await insertDemoOffers(instance.ctx, Number(count), null);
// Every offer becomes one territory's, as the aggregation keeps them; each territory is a
// department (its postal codes), so that the region filter selects as it would in France.
const departments = [
  ...Array.from({ length: 95 }, (_, i) => String(i + 1).padStart(2, "0")),
  "971",
  "972",
  "973",
  "974",
  "976",
];
await sql`update offers o set remote_actor_id = a.id,
    postal_code = (${sql.val(departments)}::text[])[a.k + 1] || substr('000', 1, 5 - length((${sql.val(departments)}::text[])[a.k + 1])),
    remote_uri = 'https://' || a.host || '/offers/' || o.id,
    remote_url = 'https://' || a.host || '/offers/' || o.id
  from (select id, row_number() over (order by starts_at, id) as n from offers) r,
       (select id, host, row_number() over (order by id) - 1 as k from federation_remote_actors) a
  where r.id = o.id and a.k = r.n % ${TERRITORIES}`.execute(db);
await sql`vacuum analyze`.execute(db);
const seedMs = Date.now() - started;

// The same rows by hand: published, public, still running, from a followed publisher, soonest
// first, 51 rows (a page and the sign of a next one), with the filter of each case.
const bareSql = (where: ReturnType<typeof sql>) => sql<{ id: string }>`
  select o.id, o.title, o.summary, c.slug, c.name_fr, o.starts_at, o.ends_at, o.city,
         o.capacity, o.places_taken, ra.name, ra.host
  from offers o join offer_categories c on c.id = o.category_id
  left join federation_remote_actors ra on ra.id = o.remote_actor_id
  where o.status = 'published' and o.visibility = 'public' and o.ends_at >= now()
    and (o.remote_actor_id is null or o.remote_actor_id in
         (select remote_actor_id from federation_follows where direction = 'outgoing' and state = 'accepted'))
    and ${where}
  order by o.starts_at, o.id limit 51`;
const idf = regionBySlug("ile-de-france")!.postalPrefixes;
const cases: { name: string; query: Record<string, string>; bare: ReturnType<typeof sql> }[] = [
  { name: "upcoming list", query: {}, bare: sql`true` },
  {
    name: "region Île-de-France",
    query: { region: "ile-de-france" },
    bare: sql`substr(o.postal_code, 1, 2) in (${sql.join(idf)})`,
  },
  {
    name: "words « randonnées »",
    query: { q: "randonnées" },
    bare: sql`o.search @@ websearch_to_tsquery('maillage_fr', 'randonnées')`,
  },
  {
    name: "sport, places left",
    query: { category: "sport", available: "true" },
    bare: sql`o.category_id = (select id from offer_categories where slug = 'sport') and o.places_taken < o.capacity`,
  },
];

const p95 = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.95)]!;
const results = [];
for (const c of cases) {
  const search = await readHubSearch(db, c.query);
  const hubRows = (await hubPage(instance.ctx, search, false)).items.map((i) => i.id);
  const bareRows = (await bareSql(c.bare).execute(db)).rows.slice(0, 50).map((r) => r.id);
  if (JSON.stringify(hubRows) !== JSON.stringify(bareRows))
    throw new Error(`${c.name}: the bare SQL does not return the hub's rows`);
  const hubTimes: number[] = [];
  const bareTimes: number[] = [];
  // Interleaved, so that both see the same cache and load.
  for (let i = 0; i < Number(iterations); i++) {
    let t = performance.now();
    await hubPage(instance.ctx, await readHubSearch(db, c.query), false);
    hubTimes.push(performance.now() - t);
    t = performance.now();
    await bareSql(c.bare).execute(db);
    bareTimes.push(performance.now() - t);
  }
  results.push({
    name: c.name,
    rows: hubRows.length,
    hubP95: p95(hubTimes),
    bareP95: p95(bareTimes),
  });
}
process.stdout.write(
  `${JSON.stringify({ url: instance.url, offers, territories: TERRITORIES, seedMs, results })}\n`,
);
process.on("SIGTERM", () => {
  void instance.stop().then(() => process.exit(0));
});

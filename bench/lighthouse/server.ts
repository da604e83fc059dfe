// Child process of the Lighthouse benchmark: an embedded instance on 127.0.0.1 seeded with the
// demo data (members, offers, tutorials) and one forum topic. Prints {"url", "pages"} once ready
// and serves until it is sent SIGTERM.
//   node bench/lighthouse/server.ts <data dir>
import { loadConfig } from "../../server/config.ts";
import { startInstance } from "../../app/instance.ts";
import { seedDemo } from "../../bin/demo/demo.ts";
import { seedTutorials } from "../../bin/demo/tutorials.ts";
import { createAccount } from "../../server/accounts/accounts.service.ts";
import { forumDeps, createGroup } from "../../server/forums/groups.service.ts";
import { groupAccess } from "../../server/forums/access.ts";
import { createTopic } from "../../server/forums/topics.service.ts";

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error("usage: server.ts <data dir>");
const config = loadConfig({
  HOST: "127.0.0.1",
  PORT: "0",
  DATA_DIR: dataDir,
  LOG_LEVEL: "silent",
  INSTANCE_NAME: "CMCAS de démonstration",
});
const instance = await startInstance(config);
const { ctx } = instance;
await seedDemo(ctx, { members: 30, offers: 60 });
await seedTutorials(ctx);
const staff = await ctx.transaction((tx) =>
  createAccount(tx, {
    email: "animation@example.org",
    username: "animation",
    displayName: "Équipe d'animation",
    password: "bench lighthouse 2026",
    language: "fr",
    role: "staff",
  }),
);
if (!staff.ok) throw new Error(staff.error);
const group = await ctx.transaction((tx) =>
  createGroup(tx, forumDeps(ctx), staff.value, {
    name: "Randonnée en montagne",
    description: "Sorties, itinéraires et conseils entre randonneurs.",
    visibility: "public",
  }),
);
if (!group.ok) throw new Error(group.error);
const access = await groupAccess(ctx.db, group.value, staff.value);
const topic = await ctx.transaction((tx) =>
  createTopic(tx, forumDeps(ctx), {
    group: group.value,
    access,
    user: staff.value,
    title: "Quel itinéraire pour la sortie de juin ?",
    source:
      "Nous préparons la sortie de juin au lac de Crop.\n\nDeux itinéraires sont possibles : " +
      "par le refuge (5 h, 1 100 m de dénivelé) ou par la crête (6 h, plus exposé). Qu'en pensez-vous ?",
  }),
);
if (!topic.ok) throw new Error(String(topic.error));
const offer = await ctx.db
  .selectFrom("offers")
  .select("id")
  .where("status", "=", "published")
  .where("visibility", "=", "public")
  .where("ends_at", ">", new Date())
  .orderBy("starts_at")
  .executeTakeFirstOrThrow();
const tutorial = await ctx.db
  .selectFrom("tutorials")
  .select("id")
  .where("status", "=", "published")
  .orderBy("created_at")
  .executeTakeFirstOrThrow();
process.stdout.write(
  `${JSON.stringify({
    url: instance.url,
    pages: {
      home: "/",
      catalogue: "/offers",
      offer: `/offers/${offer.id}`,
      "forum topic": `/topics/${topic.value.topicId}`,
      tutorial: `/tutorials/${tutorial.id}`,
    },
  })}\n`,
);
process.on("SIGTERM", () => {
  void instance.stop().then(() => process.exit(0));
});

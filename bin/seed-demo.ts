// `npm run seed:demo`: fills the configured instance (DATABASE_URL, or the embedded database in
// DATA_DIR) with a demonstration CMCAS. Seeding sends no mail: notices stay in-app.
//   node bin/seed-demo.ts [--members 200] [--offers 72]
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../server/config.ts";
import { createContext } from "../server/context.ts";
import { DataDirBusyError } from "../server/db/data-dir-lock.ts";
import { jobSpecs } from "../app/assemble.ts";
import { federate } from "../app/instance.ts";
import { MODULES } from "../app/modules.ts";
import { inTransaction } from "../server/db/transaction.ts";
import { DEMO_PASSWORD, seedDemo } from "./demo/demo.ts";
import { coreInfos, loadPlugins, PLUGINS_DIR } from "../app/plugins.ts";
import { seedReviews } from "../plugins/reviews/demo.ts";
import { seedParticipation } from "./demo/participation.ts";
import { seedTutorials } from "./demo/tutorials.ts";

const { values } = parseArgs({
  options: {
    members: { type: "string", default: "200" },
    offers: { type: "string", default: "72" },
  },
});
const members = Number(values.members);
const offers = Number(values.offers);
if (!Number.isInteger(members) || !Number.isInteger(offers) || members < 1 || offers < 1) {
  process.stderr.write("--members and --offers take positive whole numbers\n");
  process.exit(1);
}

let config;
try {
  config = { ...loadConfig(), redisUrl: undefined };
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
const plugins = await loadPlugins([PLUGINS_DIR], MODULES);
const ctx = await createContext(config, {
  jobSpecs: jobSpecs([...MODULES, ...plugins.entries]),
  modules: [...coreInfos(MODULES), ...plugins.infos],
}).catch((error: unknown) => {
  // The running instance holds the embedded database: say what to do, in one line.
  if (error instanceof DataDirBusyError) {
    process.stderr.write(
      `The instance is running on ${config.dataDir}: stop it (Ctrl+C where npm start runs), then run npm run seed:demo again.\n`,
    );
    process.exit(1);
  }
  throw error;
});
// Published offers go to the CMCAS's followers like any others (its outbox, delivered later).
const federation = await federate(ctx);
const silent = { stage: async () => async () => {} };
try {
  const started = Date.now();
  const summary = await seedDemo(
    { ...ctx, transaction: (work) => inTransaction(ctx.db, silent, work) },
    { members, offers },
  );
  const reviews = ctx.modules.isEnabled("reviews") ? await seedReviews(ctx) : 0;
  const tutorials = await seedTutorials({
    ...ctx,
    transaction: (work) => inTransaction(ctx.db, silent, work),
  });
  const participation = await seedParticipation({
    ...ctx,
    transaction: (work) => inTransaction(ctx.db, silent, work),
  });
  process.stdout.write(
    `Demo CMCAS ready in ${Math.round((Date.now() - started) / 1000)} s: ${summary.members} members ` +
      `(${summary.families} with family), ${summary.offers} offers, ${summary.registrations} ` +
      `registrations, ${reviews} reviews, ${tutorials} tutorials, ${participation.consultations} ` +
      `consultations, ${participation.ideas} ideas, ${participation.budgets} budget.\n` +
      `Sign in as admin@demo.maillage.test, equipe@demo.maillage.test (staff), moderation@demo.maillage.test or ` +
      `membre1@demo.maillage.test … with the password "${DEMO_PASSWORD}".\n`,
  );
} finally {
  federation.stop();
  await ctx.close();
}

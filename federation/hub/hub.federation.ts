// The network half of the CCAS hub (ADR 0120): on the hub (HUB=1), the Joins of instances asking
// to be members, the members page and the signed list; on every instance, the page where its
// admin asks to join and trusts the list, and the periodic refresh of that list.
import type { Join } from "@fedify/vocab";
import { route } from "../inbox/route.ts";
import type { FederationJobDefinitions, FederationModule } from "../module.ts";
import { INSTANCE_ACTOR, actorUri } from "../uris.ts";
import { syncNetworkList } from "./link.ts";
import { recordJoinRequest } from "./network.ts";
import { hubAdminRoutes, hubPublicRoutes } from "./hub.routes.ts";
import { landingRoutes } from "./landing.ts";
import { relayActor, relayInbox } from "./relay.ts";
import { collectShared, sharedRoutes } from "./shared.ts";

export interface HubFederationJobs {
  "hub.sync-list": Record<string, never>;
  "hub.collect-aggregates": Record<string, never>;
}

declare module "../../server/jobs/job-types.ts" {
  interface JobPayloads extends HubFederationJobs {}
}

const jobs: FederationJobDefinitions<keyof HubFederationJobs> = {
  // A failure is recorded beside the last good copy; the next run tries again.
  "hub.sync-list": {
    spec: { attempts: 1, backoffMs: 60_000, timeoutMs: 60_000 },
    run: async (runtime) => {
      const link = await runtime.app.db.selectFrom("hub_link").select("id").executeTakeFirst();
      if (link) await syncNetworkList(runtime);
    },
  },
  // The members that agreed to share their monthly aggregates (ADR 0125), fetched signed.
  "hub.collect-aggregates": {
    spec: { attempts: 1, backoffMs: 60_000, timeoutMs: 300_000 },
    run: async (runtime) => {
      if (runtime.app.config.hub) await collectShared(runtime);
    },
  },
};

/** An instance actor asks to join the network (only the hub takes it). */
const onJoinNetwork = route<Join>({
  name: "hub.join",
  activity: "Join",
  object: "*",
  async handle(input) {
    const { app } = input.deps;
    const hub = actorUri(app.config.publicUrl, INSTANCE_ACTOR).href;
    if (!app.config.hub || input.activity.objectId?.href !== hub || !input.activity.id)
      return false;
    const sender = await input.sender();
    if (!sender) throw new Error(`cannot fetch the actor ${input.senderUri.href}`);
    if (sender.type !== "Application") return false;
    await recordJoinRequest(app.db, {
      actorUri: sender.uri,
      name: sender.name,
      activityId: input.activity.id.href,
    });
    return true;
  },
});

export const hubFederation: FederationModule = {
  name: "hub",
  inbox: [onJoinNetwork, ...relayInbox],
  actors: relayActor,
  jobs,
  scheduled: [
    { job: "hub.sync-list", everySeconds: 900 },
    { job: "hub.collect-aggregates", everySeconds: 86_400 },
  ],
  web: (runtime) => ({
    name: "hub",
    nav: runtime.app.config.hub
      ? [
          { href: "/hub/calendar", label: "hub:nav.calendar" },
          { href: "/hub/observatory", label: "hub:nav.observatory" },
        ]
      : [],
    adminNav: [
      { href: "/admin/network", label: "hub:network.title", key: "network" },
      ...(runtime.app.config.hub
        ? [{ href: "/admin/hub", label: "hub:members.title", key: "hub" }]
        : []),
    ],
    publicRoutes: (router, ctx) => {
      hubPublicRoutes(router, ctx, runtime);
      sharedRoutes(router, ctx, runtime);
    },
    routes(router, ctx) {
      hubAdminRoutes(router, ctx, runtime);
      landingRoutes(router, ctx, runtime);
    },
  }),
};

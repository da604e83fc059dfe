import type { Federation } from "@fedify/fedify";
import pkg from "../package.json" with { type: "json" };
import type { FederationDeps } from "./deps.ts";
import { PATHS } from "./uris.ts";

export const SOFTWARE = { name: "maillage", version: pkg.version };

export function registerNodeInfo(federation: Federation<void>, deps: FederationDeps): void {
  const { db, settings } = deps.app;
  federation.setNodeInfoDispatcher(PATHS.nodeInfo, async () => {
    const instance = await settings.get();
    const users = await db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("email_confirmed_at", "is not", null)
      .executeTakeFirstOrThrow();
    const posts = await db
      .selectFrom("federation_outbox")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("public", "=", true)
      .executeTakeFirstOrThrow();
    return {
      software: SOFTWARE,
      protocols: ["activitypub"],
      openRegistrations: instance.registrationMode === "open",
      usage: { users: { total: Number(users.n) }, localPosts: Number(posts.n), localComments: 0 },
      metadata: { nodeName: instance.name, territory: instance.territory },
    };
  });
}

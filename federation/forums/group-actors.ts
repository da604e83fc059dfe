// Local groups as `Group` actors (FEP-1b12): `/users/<slug>`, handle `@<slug>@<host>`. Only
// `public` and `network` groups federate; `local` and `private` ones have no actor (404), so
// nothing of them can be followed, fetched or delivered.
import type { AppContext } from "../../server/context.ts";
import { actorBanned } from "../../server/forums/remote-bans.ts";
import type { LocalActor, LocalActorSource } from "../actors/local.ts";

const SLUG = /^[a-z0-9][a-z0-9_]{1,48}[a-z0-9]$/;

export const FEDERATED_VISIBILITIES = ["public", "network"] as const;

export function groupActors(app: AppContext): LocalActorSource {
  const find = async (slug: string): Promise<LocalActor | null> => {
    const lower = slug.toLowerCase();
    if (!SLUG.test(lower)) return null;
    const group = await app.db
      .selectFrom("forum_groups")
      .select(["id", "slug", "name", "description_html", "visibility"])
      .where("slug", "=", lower)
      .where("host", "is", null)
      .where("visibility", "in", FEDERATED_VISIBILITIES)
      .executeTakeFirst();
    if (!group) return null;
    return {
      identifier: group.slug,
      type: "Group",
      username: group.slug,
      name: group.name,
      summary: group.description_html,
      // Blocked domains are refused before this (domain policy); banned people here.
      follows: "auto",
      refusesFollower: (actorUri) => actorBanned(app.db, group.id, actorUri),
      listsConnections: true,
      // A network group is shown only to allowed instances, as its page only to signed-in
      // members; it says so, so that they keep it from their anonymous visitors too.
      restricted: group.visibility !== "public",
      visibility: group.visibility === "public" ? "public" : "network",
    };
  };
  return { byIdentifier: find, byUsername: find };
}

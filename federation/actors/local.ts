// The local actors: the instance (Application, FEP-2677), the CMCAS (Organization, always
// @cmcas@<host>) and members (Person; listed only when they chose to be visible). Modules with actors of their
// own (forums: Group) declare a source in their federation module.
import type { AppContext } from "../../server/context.ts";
import type { Db } from "../../server/db/database.ts";
import { textToHtml } from "../../server/lib/html-policy.ts";
import { CMCAS_ACTOR, INSTANCE_ACTOR } from "../uris.ts";

export type LocalActorType = "Application" | "Organization" | "Person" | "Group";

export interface LocalActor {
  /** Stable part of the actor's URL: never changes, unlike a username. */
  identifier: string;
  type: LocalActorType;
  /** preferredUsername, and the WebFinger handle's user part. */
  username: string;
  name: string;
  /** HTML. */
  summary: string;
  iconPath?: string;
  /** "auto": follows are accepted at once; "never": they are rejected. */
  follows: "auto" | "never";
  /** Organisations list their followers and followings; people only show how many. */
  listsConnections: boolean;
  /** The member behind a Person actor. */
  userId?: string;
  /** Whether it refuses this follower although it accepts follows (a group, those it banned). */
  refusesFollower?(actorUri: string): Promise<boolean>;
  /** Served only to fetches signed by an allowed instance (network groups; ADR 0085), and
   * among those, when `mayFetch` is given, the ones it accepts (ADR 0087). */
  restricted?: boolean;
  mayFetch?(host: string): Promise<boolean>;
  /** Not found by WebFinger, not discoverable: members who did not choose to be listed. */
  unlisted?: boolean;
  /** Stated on the actor for other Maillage instances (`maillage:visibility`, ADR 0085). */
  visibility?: "public" | "network";
}

export interface LocalActorSource {
  byIdentifier(identifier: string): Promise<LocalActor | null>;
  byUsername(username: string): Promise<LocalActor | null>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function instanceActor(app: AppContext): LocalActorSource {
  const get = async (): Promise<LocalActor> => {
    const settings = await app.settings.get();
    return {
      identifier: INSTANCE_ACTOR,
      type: "Application",
      username: INSTANCE_ACTOR,
      name: settings.name,
      summary: textToHtml(`Maillage — ${settings.name}`),
      follows: "never",
      listsConnections: true,
    };
  };
  return {
    byIdentifier: async (id) => (id === INSTANCE_ACTOR ? get() : null),
    byUsername: async (name) => (name.toLowerCase() === INSTANCE_ACTOR ? get() : null),
  };
}

function cmcasActor(app: AppContext): LocalActorSource {
  const get = async (): Promise<LocalActor> => {
    const settings = await app.settings.get();
    const about = [settings.description, settings.territory].filter(Boolean).join("\n");
    return {
      identifier: CMCAS_ACTOR,
      type: "Organization",
      username: CMCAS_ACTOR,
      name: settings.name,
      summary: textToHtml(about),
      ...(settings.hasLogo ? { iconPath: "/instance/logo" } : {}),
      follows: "auto",
      listsConnections: true,
    };
  };
  return {
    byIdentifier: async (id) => (id === CMCAS_ACTOR ? get() : null),
    byUsername: async (name) => (name.toLowerCase() === CMCAS_ACTOR ? get() : null),
  };
}

/**
 * Members (Person). A member who chose to be visible to other CMCAS is listed: WebFinger finds
 * them, others can follow them. Every other confirmed member still has an actor, so that they can
 * book another instance's offer or follow a group elsewhere (the other side checks their
 * signature): it is not in WebFinger, refuses follows, says it is not discoverable, and is served
 * only to the instances the member deals with (ADR 0087).
 */
function memberActors(app: AppContext): LocalActorSource {
  const toActor = (u: {
    id: string;
    username: string;
    display_name: string;
    discoverable: boolean;
  }): LocalActor => ({
    identifier: u.id,
    type: "Person",
    username: u.username,
    name: u.display_name,
    summary: "",
    follows: u.discoverable ? "auto" : "never",
    listsConnections: false,
    userId: u.id,
    ...(u.discoverable
      ? {}
      : { unlisted: true, restricted: true, mayFetch: (host) => dealsWith(app.db, u.id, host) }),
  });
  const query = () =>
    app.db
      .selectFrom("users")
      .select(["id", "username", "display_name", "discoverable"])
      .where("email_confirmed_at", "is not", null);
  return {
    async byIdentifier(id) {
      if (!UUID.test(id)) return null;
      const user = await query().where("id", "=", id).executeTakeFirst();
      return user ? toActor(user) : null;
    },
    async byUsername(name) {
      const user = await query()
        .where("discoverable", "=", true)
        .where((eb) => eb(eb.fn("lower", ["username"]), "=", name.toLowerCase()))
        .executeTakeFirst();
      return user ? toActor(user) : null;
    },
  };
}

/** Does the member deal with the instance at `host`: a booking of one of its offers, a follow
 * of one of its actors (a group), whatever their state (a cancellation is checked as well), or
 * something written about one of its tutorials? */
async function dealsWith(db: Db, userId: string, host: string): Promise<boolean> {
  const follow = await db
    .selectFrom("federation_follows as f")
    .innerJoin("federation_remote_actors as r", "r.id", "f.remote_actor_id")
    .select("f.id")
    .where("f.local_user_id", "=", userId)
    .where("r.host", "=", host)
    .executeTakeFirst();
  if (follow) return true;
  const booking = await db
    .selectFrom("offer_registrations as g")
    .innerJoin("offers as o", "o.id", "g.offer_id")
    .innerJoin("federation_remote_actors as r", "r.id", "o.remote_actor_id")
    .select("g.id")
    .where("g.user_id", "=", userId)
    .where("r.host", "=", host)
    .executeTakeFirst();
  if (booking) return true;
  // A comment, a "Je l'ai fait !" post or a "useful" vote on one of its tutorials (ADR 0116).
  const tutorial = await db
    .selectFrom("tutorials as t")
    .innerJoin("federation_remote_actors as r", "r.id", "t.remote_actor_id")
    .select("t.id")
    .where("r.host", "=", host)
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom("tutorial_useful as u")
            .select("u.user_id")
            .whereRef("u.tutorial_id", "=", "t.id")
            .where("u.user_id", "=", userId),
        ),
        eb.exists(
          eb
            .selectFrom("tutorial_made as m")
            .select("m.id")
            .whereRef("m.tutorial_id", "=", "t.id")
            .where("m.author_id", "=", userId),
        ),
        eb.exists(
          eb
            .selectFrom("forum_posts as p")
            .select("p.id")
            .whereRef("p.topic_id", "=", "t.topic_id")
            .where("p.author_id", "=", userId),
        ),
      ]),
    )
    .executeTakeFirst();
  return tutorial !== undefined;
}

export function localActorSources(
  app: AppContext,
  more: readonly LocalActorSource[],
): LocalActorSource[] {
  return [instanceActor(app), cmcasActor(app), memberActors(app), ...more];
}

export class LocalActors {
  readonly #sources: LocalActorSource[];

  constructor(sources: LocalActorSource[]) {
    this.#sources = sources;
  }

  async byIdentifier(identifier: string): Promise<LocalActor | null> {
    for (const source of this.#sources) {
      const actor = await source.byIdentifier(identifier);
      if (actor) return actor;
    }
    return null;
  }

  async byUsername(username: string): Promise<LocalActor | null> {
    for (const source of this.#sources) {
      const actor = await source.byUsername(username);
      if (actor) return actor;
    }
    return null;
  }
}

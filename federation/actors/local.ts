// The local actors: the instance (Application, FEP-2677), the CMCAS (Organization, always
// @cmcas@<host>) and members who chose to be discoverable (Person). Modules with actors of their
// own (forums: Group) declare a source in their federation module.
import type { AppContext } from "../../server/context.ts";
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

function memberActors(app: AppContext): LocalActorSource {
  const toActor = (u: { id: string; username: string; display_name: string }): LocalActor => ({
    identifier: u.id,
    type: "Person",
    username: u.username,
    name: u.display_name,
    summary: "",
    follows: "auto",
    listsConnections: false,
    userId: u.id,
  });
  const query = () =>
    app.db
      .selectFrom("users")
      .select(["id", "username", "display_name"])
      .where("discoverable", "=", true)
      .where("email_confirmed_at", "is not", null);
  return {
    async byIdentifier(id) {
      if (!UUID.test(id)) return null;
      const user = await query().where("id", "=", id).executeTakeFirst();
      return user ? toActor(user) : null;
    },
    async byUsername(name) {
      const user = await query()
        .where((eb) => eb(eb.fn("lower", ["username"]), "=", name.toLowerCase()))
        .executeTakeFirst();
      return user ? toActor(user) : null;
    },
  };
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

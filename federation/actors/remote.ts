// Remote actors we talk to: what we keep of them (for display and for delivery), and how a
// Fedify Actor becomes that row. Inboxes must live on the actor's own host, so that an actor
// document cannot point our deliveries at someone else's server.
import { getActorTypeName, isActor, type Actor, type Recipient } from "@fedify/vocab";
import type { Context } from "@fedify/fedify";
import type { ExpressionBuilder, Selectable } from "kysely";
import type { Db } from "../../server/db/database.ts";
import type { Database } from "../../server/db/schema.ts";
import type { FederationTables } from "../federation.tables.ts";
import { sanitizeHtmlAs } from "../../server/lib/html-policy.ts";
import { recentFirst } from "../http/recent-documents.ts";
import { sharedRun } from "../http/key-cache.ts";
import { statesEd25519 } from "../capabilities.ts";
import { rawDocument } from "../inbox/raw.ts";
import { handleOf, hostOf, INSTANCE_ACTOR } from "../uris.ts";
import pino, { type Logger } from "pino";
import { tolerate } from "../tolerate.ts";

/** For callers that have no logger of their own (tests reading documents). */
const SILENT = pino({ level: "silent" });

export type RemoteActorRow = Selectable<FederationTables["federation_remote_actors"]>;

export interface RemoteActor {
  id: number;
  uri: string;
  host: string;
  type: string;
  username: string;
  handle: string;
  name: string;
  /** Sanitized HTML. */
  summary: string;
  url: string | null;
  iconUrl: string | null;
  /** The banner (`image`); absent where an actor is written by hand (tests, tools). */
  imageUrl?: string | null;
  inbox: string;
  sharedInbox: string | null;
  outbox: string | null;
  followersUrl: string | null;
  fetchedAt: Date;
  /** A Maillage group's stated visibility, when just read from its document (not stored here:
   * the group's local entry keeps it). */
  visibility?: "public" | "network";
  /**
   * Whether a local actor follows it (`followedByUs`), when read with it for an incoming
   * activity's sender (one statement for both, issue 15): true as of the activity's start.
   */
  followed?: boolean;
  /** Its server verifies RFC 9421 signatures made with Ed25519 (FEP-844e, ADR 0176). */
  acceptsEd25519?: boolean;
}

export type RemoteActorInput = Omit<RemoteActor, "id" | "handle" | "fetchedAt">;

const REFRESH_MS = 24 * 3600_000;

export function toRemoteActor(row: RemoteActorRow): RemoteActor {
  return {
    id: row.id,
    uri: row.uri,
    host: row.host,
    type: row.type,
    username: row.username,
    handle: handleOf(row.username, row.uri),
    name: row.name || row.username,
    summary: row.summary,
    url: row.url,
    iconUrl: row.icon_url,
    imageUrl: row.image_url,
    inbox: row.inbox,
    sharedInbox: row.shared_inbox,
    outbox: row.outbox,
    followersUrl: row.followers_url,
    fetchedAt: row.fetched_at,
    acceptsEd25519: row.accepts_ed25519,
  };
}

function sameHost(url: URL | null | undefined, host: string): string | null {
  return url && hostOf(url) === host ? url.href : null;
}

/** `maillage:visibility` as a Maillage group states it, in compact or expanded form. */
export function statedVisibility(actor: unknown): "public" | "network" | undefined {
  const doc = rawDocument(actor);
  if (!doc) return undefined;
  const keys = ["visibility", "maillage:visibility", "urn:maillage:ns#visibility"];
  let value: unknown = keys.map((k) => doc[k]).find((v) => v !== undefined);
  if (Array.isArray(value)) value = value[0];
  if (value && typeof value === "object") value = (value as { "@value"?: unknown })["@value"];
  return value === "public" || value === "network" ? value : undefined;
}

/** `{ [key]: value }`, or nothing when the value is not known. */
function stated<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [k in K]: V });
}

/** What we keep of an actor document; undefined when it has no usable id or inbox. */
export async function remoteActorFromVocab(
  actor: Actor,
  log?: Logger,
): Promise<RemoteActorInput | undefined> {
  if (!actor.id || !actor.inboxId) return undefined;
  const host = hostOf(actor.id);
  const inbox = sameHost(actor.inboxId, host);
  if (!inbox) return undefined;
  // Without its icon, the actor is kept all the same.
  const icon = await tolerate(
    actor.getIcon({ suppressError: true }),
    null,
    (log ?? SILENT).child({ actor: actor.id.href }),
    "reading the actor's icon",
  );
  const iconUrl = icon?.url instanceof URL ? icon.url : (icon?.url?.href ?? null);
  const banner = await tolerate(
    actor.getImage({ suppressError: true }),
    null,
    (log ?? SILENT).child({ actor: actor.id.href }),
    "reading the actor's banner",
  );
  const imageUrl = banner?.url instanceof URL ? banner.url : (banner?.url?.href ?? null);
  const url = actor.url instanceof URL ? actor.url : (actor.url?.href ?? null);
  const visibility = statedVisibility(actor);
  return {
    uri: actor.id.href,
    host,
    type: getActorTypeName(actor),
    username: actor.preferredUsername?.toString() ?? actor.id.pathname.split("/").pop() ?? "",
    name: actor.name?.toString() ?? "",
    summary: sanitizeHtmlAs("federated", actor.summary?.toString()),
    url: url && /^https?:$/.test(url.protocol) ? url.href : null,
    iconUrl: iconUrl && /^https?:$/.test(iconUrl.protocol) ? iconUrl.href : null,
    imageUrl: imageUrl && /^https?:$/.test(imageUrl.protocol) ? imageUrl.href : null,
    inbox,
    sharedInbox: sameHost(actor.endpoints?.sharedInbox, host),
    outbox: sameHost(actor.outboxId, host),
    followersUrl: sameHost(actor.followersId, host),
    ...stated("acceptsEd25519", statesEd25519(actor)),
    ...(visibility ? { visibility } : {}),
  };
}

export async function saveRemoteActor(db: Db, input: RemoteActorInput): Promise<RemoteActor> {
  const values = {
    host: input.host,
    type: input.type,
    username: input.username,
    name: input.name,
    summary: input.summary,
    url: input.url,
    icon_url: input.iconUrl,
    image_url: input.imageUrl ?? null,
    inbox: input.inbox,
    shared_inbox: input.sharedInbox,
    outbox: input.outbox,
    followers_url: input.followersUrl,
    // Kept as it was when this document does not say (an actor embedded in its Update).
    ...stated("accepts_ed25519", input.acceptsEd25519),
    fetched_at: new Date(),
  };
  const row = await db
    .insertInto("federation_remote_actors")
    .values({ uri: input.uri, ...values })
    .onConflict((oc) => oc.column("uri").doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
  const saved = toRemoteActor(row);
  return input.visibility ? { ...saved, visibility: input.visibility } : saved;
}

export async function findRemoteActor(
  db: Db,
  by: { id: number } | { uri: string },
): Promise<RemoteActor | undefined> {
  let query = db.selectFrom("federation_remote_actors").selectAll();
  query = "id" in by ? query.where("id", "=", by.id) : query.where("uri", "=", by.uri);
  const row = await query.executeTakeFirst();
  return row ? toRemoteActor(row) : undefined;
}

/** The condition that a local actor (the CMCAS or a member) follows the actor `a`, with its Accept. */
export function followedByUs(
  eb: ExpressionBuilder<Database & { a: Database["federation_remote_actors"] }, "a">,
) {
  return eb.exists(
    eb
      .selectFrom("federation_follows as f")
      .select("f.id")
      .whereRef("f.remote_actor_id", "=", "a.id")
      .where("f.direction", "=", "outgoing")
      .where("f.state", "=", "accepted"),
  );
}

/** The stored actor with whether we follow it, in one statement. */
async function findFollowedActor(db: Db, uri: string): Promise<RemoteActor | undefined> {
  const row = await db
    .selectFrom("federation_remote_actors as a")
    .selectAll("a")
    .select((eb) => followedByUs(eb).as("followed"))
    .where("a.uri", "=", uri)
    .executeTakeFirst();
  if (!row) return undefined;
  const { followed, ...actor } = row;
  return { ...toRemoteActor(actor), followed: Boolean(followed) };
}

/** Fetches of an actor running now, per federation (tests run several instances in a process). */
const fetching = new WeakMap<object, Map<string, Promise<unknown>>>();

/** The object at `href`, fetched once however many ask for it at the same time. */
function lookupOnce(fctx: Context<void>, uri: URL | string): Promise<unknown> {
  let running = fetching.get(fctx.federation);
  if (!running) fetching.set(fctx.federation, (running = new Map()));
  return sharedRun(running, typeof uri === "string" ? uri : uri.href, async () => {
    // Signed by our instance actor: some actors are served only to allowed instances (ADR 0085).
    const signed = await fctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
    return fctx.lookupObject(uri, { documentLoader: recentFirst(fctx.federation, signed) });
  });
}

/**
 * Fetches an actor document and keeps it; undefined when it is not an actor. Concurrent calls for
 * one actor share one fetch (each saves with its own handle: a transaction may roll back), and an
 * actor document the inbox gate fetched a moment ago for its key is used as it is (ADR 0154).
 */
export async function fetchRemoteActor(
  db: Db,
  fctx: Context<void>,
  uri: URL | string,
  log?: Logger,
): Promise<RemoteActor | undefined> {
  const object = await lookupOnce(fctx, uri);
  if (!isActor(object)) return undefined;
  const input = await remoteActorFromVocab(object, log);
  return input ? saveRemoteActor(db, input) : undefined;
}

/**
 * The stored actor, refreshed when older than a day; fetched when unknown. `followed`: read with
 * it whether we follow it (an incoming activity's sender: most routes ask), unless fetched.
 */
export async function resolveRemoteActor(
  db: Db,
  fctx: Context<void>,
  uri: URL | string,
  log?: Logger,
  options: { followed?: boolean } = {},
): Promise<RemoteActor | undefined> {
  const href = typeof uri === "string" ? uri : uri.href;
  const known = options.followed
    ? await findFollowedActor(db, href)
    : await findRemoteActor(db, { uri: href });
  if (known && Date.now() - known.fetchedAt.getTime() < REFRESH_MS) return known;
  return (await fetchRemoteActor(db, fctx, uri, log)) ?? known;
}

export function recipientOf(actor: RemoteActor): Recipient {
  return {
    id: new URL(actor.uri),
    inboxId: new URL(actor.inbox),
    endpoints: actor.sharedInbox ? { sharedInbox: new URL(actor.sharedInbox) } : null,
  };
}

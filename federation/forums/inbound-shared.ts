// Pieces shared by the forums' inbox handlers and the backfill job.
import {
  Activity,
  Article,
  Document,
  Link,
  Mention,
  Note,
  Page,
  type Object as ApObject,
} from "@fedify/vocab";
import type { Context } from "@fedify/fedify";
import type { Db } from "../../server/db/database.ts";
import { findUserById } from "../../server/accounts/accounts.repo.ts";
import { resolveRemoteActor } from "../actors/remote.ts";
import type { FederationDeps } from "../deps.ts";
import { hostOf } from "../uris.ts";
import { FEDERATED_VISIBILITIES } from "./group-actors.ts";
import type { IncomingPost } from "./store.ts";

export type PostLike = Page | Article | Note;

export function isPostLike(object: unknown): object is PostLike {
  return object instanceof Page || object instanceof Article || object instanceof Note;
}

export interface GroupRow {
  id: string;
  slug: string;
  host: string | null;
  ap_id: string | null;
  post_policy: string;
}

const groupColumns = ["id", "slug", "host", "ap_id", "post_policy"] as const;

/** A remote group we follow, by its actor id. */
export function remoteGroup(db: Db, uri: string): Promise<GroupRow | undefined> {
  return db
    .selectFrom("forum_groups")
    .select(groupColumns)
    .where("ap_id", "=", uri)
    .where("host", "is not", null)
    .executeTakeFirst();
}

/** The first of `uris` that is one of our federated groups' actors. */
export async function localGroupAmong(
  db: Db,
  fctx: Context<void>,
  uris: (URL | null | undefined)[],
): Promise<GroupRow | undefined> {
  for (const uri of uris) {
    if (!uri) continue;
    const parsed = fctx.parseUri(uri);
    if (parsed?.type !== "actor") continue;
    const group = await db
      .selectFrom("forum_groups")
      .select(groupColumns)
      .where("slug", "=", parsed.identifier)
      .where("host", "is", null)
      .where("visibility", "in", FEDERATED_VISIBILITIES)
      .executeTakeFirst();
    if (group) return group;
  }
  return undefined;
}

/** Everyone an object or activity is addressed to, its audience first. */
export function targetsOf(...items: (ApObject | null | undefined)[]): URL[] {
  const out: URL[] = [];
  for (const item of items) {
    if (!item) continue;
    if (item.audienceId) out.push(item.audienceId);
    out.push(...item.toIds, ...item.ccIds);
  }
  return out;
}

/** The document an object was read from (Fedify keeps it), for what its vocabulary lacks. */
export function rawDocument(object: unknown): Record<string, unknown> | undefined {
  const cached = (object as { _cachedJsonLd?: unknown } | null)?._cachedJsonLd;
  const doc = Array.isArray(cached) ? cached[0] : cached;
  return doc && typeof doc === "object" ? (doc as Record<string, unknown>) : undefined;
}

/** The activity type as written, for types Fedify's vocabulary lacks (Lemmy's `Lock`). */
export function rawType(object: unknown): string | undefined {
  const doc = rawDocument(object);
  const type = doc?.type ?? doc?.["@type"];
  const first = Array.isArray(type) ? type[0] : type;
  return typeof first === "string" ? first.slice(first.lastIndexOf("#") + 1) : undefined;
}

/** The `object` of an activity of a type Fedify does not know (read as a plain Object). */
export function rawObjectId(activity: unknown): URL | null {
  if (activity instanceof Activity) return activity.objectId;
  const object = rawDocument(activity)?.object;
  const id =
    typeof object === "string"
      ? object
      : object && typeof object === "object"
        ? (object as Record<string, unknown>).id
        : undefined;
  try {
    return typeof id === "string" ? new URL(id) : null;
  } catch {
    return null;
  }
}

function urlOf(object: PostLike): string | null {
  const url = object.url instanceof URL ? object.url : (object.url?.href ?? null);
  return url && /^https?:$/.test(url.protocol) ? url.href : null;
}

/** Lemmy's link posts carry their link as an attachment: shown as a link under the text.
 * Images stay where they are published (nothing is fetched). */
async function linksOf(object: PostLike): Promise<string> {
  const hrefs: string[] = [];
  try {
    for await (const item of object.getAttachments({ suppressError: true })) {
      const href =
        item instanceof Link ? item.href : item instanceof Document ? item.url : undefined;
      const url = href instanceof URL ? href : href instanceof Link ? href.href : undefined;
      if (url && /^https?:$/.test(url.protocol) && hrefs.length < 4) hrefs.push(url.href);
    }
  } catch {
    return "";
  }
  return hrefs.map((h) => `<p><a href="${h.replace(/"/g, "%22")}">${escape(h)}</a></p>`).join("");
}

const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** What we store of a post, with its author's name (fetched once, then kept). */
export async function incomingPost(
  deps: FederationDeps,
  fctx: Context<void>,
  object: PostLike,
): Promise<IncomingPost | undefined> {
  const authorUri = object.attributionId;
  if (!object.id || !authorUri) return undefined;
  const author = await resolveRemoteActor(deps.app.db, fctx, authorUri).catch(() => undefined);
  const title = object instanceof Note ? null : (object.name?.toString() ?? null);
  return {
    apId: object.id.href,
    url: urlOf(object),
    authorUri: authorUri.href,
    authorName: author ? `${author.name} (${author.handle})` : `${hostOf(authorUri)}`,
    authorUrl: author?.url ?? author?.uri ?? null,
    html: (object.content?.toString() ?? "") + (await linksOf(object)),
    title,
    inReplyTo: object.replyTargetId?.href ?? null,
    context: object.contextIds[0]?.href ?? null,
    published: object.published ? new Date(object.published.epochMilliseconds) : new Date(),
    mentions: await localMentionsOf(deps.app.db, fctx, object),
  };
}

export interface IncomingMention {
  acct: string;
  userId: string;
  actorUri: string;
}

/** The `Mention` tags of an incoming object that name one of our members. */
export async function localMentionsOf(
  db: Db,
  fctx: Context<void>,
  object: PostLike,
): Promise<IncomingMention[]> {
  const out: IncomingMention[] = [];
  try {
    for await (const tag of object.getTags({ suppressError: true })) {
      if (!(tag instanceof Mention) || !tag.href || out.length >= 20) continue;
      const parsed = fctx.parseUri(tag.href);
      if (parsed?.type !== "actor") continue;
      const user = await findUserById(db, parsed.identifier).catch(() => undefined);
      if (!user) continue;
      const name = tag.name?.toString().replace(/^@/, "").toLowerCase();
      out.push({ acct: name || tag.href.href, userId: user.id, actorUri: tag.href.href });
    }
  } catch {
    return out;
  }
  return out;
}

/** Is this remote actor banned from the group (writing refused)? */
export async function actorBanned(db: Db, groupId: string, actorUri: string): Promise<boolean> {
  const row = await db
    .selectFrom("forum_bans")
    .select("id")
    .where("group_id", "=", groupId)
    .where("actor_ap_id", "=", actorUri)
    .where("lifted_at", "is", null)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", new Date())]))
    .executeTakeFirst();
  return row !== undefined;
}

/** The Lock an Undo undoes, read from the Undo's document (Fedify drops unknown embedded types),
 * as the id of the locked post; undefined when it is not an Undo(Lock). */
export function undoneLockTarget(
  undoDoc: Record<string, unknown> | undefined,
  inner: unknown,
): URL | null | undefined {
  const embedded = undoDoc?.object;
  if (embedded && typeof embedded === "object") {
    if (rawType({ _cachedJsonLd: embedded }) !== "Lock") return undefined;
    return rawObjectId({ _cachedJsonLd: embedded });
  }
  return rawType(inner) === "Lock" ? rawObjectId(inner) : undefined;
}

/** The embedded `object` of an activity as received, when it is a document. */
export function rawEmbedded(activity: unknown): Record<string, unknown> | undefined {
  const object = rawDocument(activity)?.object;
  return object && typeof object === "object" && !Array.isArray(object)
    ? (object as Record<string, unknown>)
    : undefined;
}

// Pieces shared by the forums' inbox handlers and the backfill job.
import {
  Activity,
  Article,
  Mention,
  Note,
  Page,
  PUBLIC_COLLECTION,
  type Object as ApObject,
} from "@fedify/vocab";
import type { Context } from "@fedify/fedify";
import type { Logger } from "pino";
import type { Db } from "../../server/db/database.ts";
import { findUserById } from "../../server/accounts/accounts.repo.ts";
import type { IncomingMention, IncomingPost } from "../../server/forums/incoming.service.ts";
import { resolveRemoteActor } from "../actors/remote.ts";
import type { FederationDeps } from "../deps.ts";
import { rawDocument, rawObjectId as objectIdIn, rawType } from "../inbox/raw.ts";
import { attachmentsOf, linksHtml, picturesHtml } from "../media/attachments.ts";
import { tolerate } from "../tolerate.ts";
import { hostOf } from "../uris.ts";
import { FEDERATED_VISIBILITIES } from "./group-actors.ts";

export { rawDocument, rawType };

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
  join_policy?: string;
  visibility: string;
}

const groupColumns = [
  "id",
  "slug",
  "host",
  "ap_id",
  "post_policy",
  "join_policy",
  "visibility",
] as const;

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

/** The `object` of an activity, also of a type Fedify does not know (read as a plain Object). */
export function rawObjectId(activity: unknown): URL | null {
  return activity instanceof Activity ? activity.objectId : objectIdIn(rawDocument(activity));
}

function urlOf(object: PostLike): string | null {
  const url = object.url instanceof URL ? object.url : (object.url?.href ?? null);
  return url && /^https?:$/.test(url.protocol) ? url.href : null;
}

/** Lemmy's link posts carry their link as an attachment, other link aggregators in `url` (a
 * page elsewhere than the post's server): shown as a link under the text. Pictures are shown
 * inline, through our own copy (federation/media). */
async function attachedHtml(
  deps: FederationDeps,
  object: PostLike,
  log: Logger,
  link: string | null,
): Promise<string> {
  const { pictures, links } = await attachmentsOf(object, log);
  const hrefs = link ? [link, ...links.filter((h) => h !== link)] : links;
  return (await picturesHtml(deps.app, pictures)) + linksHtml(hrefs.slice(0, 4));
}

/** What we store of a post, with its author's name (fetched once, then kept). */
export async function incomingPost(
  deps: FederationDeps,
  fctx: Context<void>,
  object: PostLike,
  log: Logger = deps.app.log,
): Promise<IncomingPost | undefined> {
  const authorUri = object.attributionId;
  if (!object.id || !authorUri) return undefined;
  const postLog = log.child({ post: object.id.href });
  const author = await tolerate(
    resolveRemoteActor(deps.app.db, fctx, authorUri, postLog),
    undefined,
    postLog,
    "reading the post's author",
  );
  // Forum and link-aggregator software name a topic's Note with its title.
  const title = object.name?.toString().trim() || null;
  const url = urlOf(object);
  const link = url && hostOf(url) !== hostOf(object.id) ? url : null;
  return {
    apId: object.id.href,
    url: link ? null : url,
    authorUri: authorUri.href,
    authorName: author ? `${author.name} (${author.handle})` : `${hostOf(authorUri)}`,
    authorUrl: author?.url ?? author?.uri ?? null,
    html: (object.content?.toString() ?? "") + (await attachedHtml(deps, object, postLog, link)),
    title,
    inReplyTo: object.replyTargetId?.href ?? null,
    context: object.contextIds[0]?.href ?? null,
    published: object.published ? new Date(object.published.epochMilliseconds) : new Date(),
    mentions: await localMentionsOf(deps.app.db, fctx, object, postLog),
    public: isPublic(object),
  };
}

/** Addressed to everyone: `as:Public` in `to` or `cc` (Fedify reads `Public` and `as:Public` as
 * the full IRI). */
export function isPublic(object: ApObject): boolean {
  return [...object.toIds, ...object.ccIds].some((uri) => uri.href === PUBLIC_COLLECTION.href);
}

/** The `Mention` tags of an incoming object that name one of our members. */
export async function localMentionsOf(
  db: Db,
  fctx: Context<void>,
  object: PostLike,
  log: Logger,
): Promise<IncomingMention[]> {
  const out: IncomingMention[] = [];
  const read = async () => {
    for await (const tag of object.getTags({ suppressError: true })) {
      if (!(tag instanceof Mention) || !tag.href || out.length >= 20) continue;
      const parsed = fctx.parseUri(tag.href);
      if (parsed?.type !== "actor") continue;
      const user = await findUserById(db, parsed.identifier);
      if (!user) continue;
      const name = tag.name?.toString().replace(/^@/, "").toLowerCase();
      out.push({ acct: name || tag.href.href, userId: user.id, actorUri: tag.href.href });
    }
  };
  // Tags that cannot be read name nobody: the post is kept with the mentions read so far.
  await tolerate(read(), undefined, log, "reading a post's mentions");
  return out;
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

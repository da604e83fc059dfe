// Followers, following and outbox collections of local actors, paged newest first. People's
// followers and followings are only counted, not listed; organisations list them.
import type { Federation, RequestContext } from "@fedify/fedify";
import type { ExpressionBuilder } from "kysely";
import type { Database } from "../server/db/schema.ts";
import { Activity } from "@fedify/vocab";
import { recipientOf } from "./actors/remote.ts";
import type { FederationDeps } from "./deps.ts";
import { mayRead } from "./actors/dispatcher.ts";
import { countFollows, followerActors, listFollows } from "./follows/follows.repo.ts";
import { allowedSigner } from "./signed.ts";
import { CMCAS_ACTOR, PATHS } from "./uris.ts";
import { HttpError } from "../server/http/errors.ts";
import type { FollowDirection } from "./federation.tables.ts";

const PAGE = 20;
const FIRST = "first";

/** A cursor is the id of the last row seen: a bigint the database can compare, else a 400. */
function before(cursor: string): number | undefined {
  if (cursor === FIRST) return undefined;
  if (!/^\d{1,15}$/.test(cursor))
    throw new HttpError(400, "errors.badRequest", { detail: "cursor: not a page of this list" });
  return Number(cursor);
}

export function registerCollections(federation: Federation<void>, deps: FederationDeps): void {
  const { db } = deps.app;

  // The collections of an actor served only to some instances are too (ADR 0085).
  const authorize = (ctx: RequestContext<void>, identifier: string) =>
    mayRead(ctx, deps, identifier);

  const page = async (identifier: string, direction: FollowDirection, cursor: string) => {
    const actor = await deps.actors.byIdentifier(identifier);
    if (!actor) return null;
    if (!actor.listsConnections) return { rows: [], nextCursor: null };
    const rows = await listFollows(db, identifier, direction, {
      state: "accepted",
      limit: PAGE + 1,
      beforeId: before(cursor),
    });
    const more = rows.length > PAGE;
    return { rows: rows.slice(0, PAGE), nextCursor: more ? String(rows[PAGE - 1]!.id) : null };
  };

  federation
    .setFollowersDispatcher(PATHS.followers, async (_ctx, identifier, cursor) => {
      // Without a cursor Fedify wants every follower (it delivers to them).
      if (cursor === null)
        return { items: (await followerActors(db, identifier)).map(recipientOf) };
      const result = await page(identifier, "incoming", cursor);
      if (!result) return null;
      return {
        items: result.rows.map((f) => recipientOf(f.remote)),
        nextCursor: result.nextCursor,
      };
    })
    .setCounter((_ctx, identifier) => countFollows(db, identifier, "incoming"))
    .setFirstCursor(() => FIRST)
    .authorize(authorize);

  federation
    .setFollowingDispatcher(PATHS.following, async (_ctx, identifier, cursor) => {
      const result = await page(identifier, "outgoing", cursor ?? FIRST);
      if (!result) return null;
      return {
        items: result.rows.map((f) => new URL(f.remote.uri)),
        nextCursor: result.nextCursor,
      };
    })
    .setCounter((_ctx, identifier) => countFollows(db, identifier, "outgoing"))
    .setFirstCursor(() => FIRST)
    .authorize(authorize);

  // The CMCAS actor's offers visible to the network go to its followers only, not to Public:
  // an allowed instance's signed request reads them in the outbox too, so one that follows later
  // backfills them as it does public ones (issue 16, cause 16).
  const networkReader = async (ctx: RequestContext<void>, identifier: string) =>
    identifier === CMCAS_ACTOR && (await allowedSigner(ctx, deps)) !== null;
  const visible = (eb: ExpressionBuilder<Database, "federation_outbox">, network: boolean) =>
    network
      ? eb.or([eb("public", "=", true), eb("to_followers", "=", true)])
      : eb("public", "=", true);

  federation
    .setOutboxDispatcher(PATHS.outbox, async (ctx, identifier, cursor) => {
      if (cursor === null || !(await deps.actors.byIdentifier(identifier))) return null;
      const network = await networkReader(ctx, identifier);
      let query = db
        .selectFrom("federation_outbox")
        .select(["id", "activity"])
        .where("actor", "=", identifier)
        .where((eb) => visible(eb, network))
        .orderBy("id", "desc")
        .limit(PAGE + 1);
      const from = before(cursor);
      if (from !== undefined) query = query.where("id", "<", from);
      const rows = await query.execute();
      const items = await Promise.all(
        rows.slice(0, PAGE).map((r) => Activity.fromJsonLd(r.activity, ctx)),
      );
      return { items, nextCursor: rows.length > PAGE ? String(rows[PAGE - 1]!.id) : null };
    })
    .setCounter(async (ctx, identifier) => {
      const network = await networkReader(ctx, identifier);
      const row = await db
        .selectFrom("federation_outbox")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("actor", "=", identifier)
        .where((eb) => visible(eb, network))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    })
    .setFirstCursor(() => FIRST)
    .authorize(authorize);
}

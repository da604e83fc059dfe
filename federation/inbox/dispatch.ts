// The inbox: every activity passes the domain policy on its actor (a Linked-Data-signed or
// proof-signed body can be relayed by an allowed server yet come from elsewhere), then goes to the
// routes the modules declared for its activity type and object type (ADR 0062):
// - the object is resolved at most once, and shared by the routes;
// - every route of the pair runs, in no meaningful order: routes of one pair take disjoint
//   activities, or do independent things (the follows and the offers' backfill both answer an
//   Accept of our Follow); fallback routes run when no other route took the activity;
// - a route of a module that is switched off is skipped (`isEnabled`), with a log line.
import type { Context, Federation } from "@fedify/fedify";
import { Activity, getTypeId, Question, type Object as ApObject } from "@fedify/vocab";
import { resolveRemoteActor, type RemoteActor } from "../actors/remote.ts";
import type { FederationDeps } from "../deps.ts";
import { tolerate } from "../tolerate.ts";
import { isServedQuestion } from "../questions.ts";
import { localTypeName, rawDocument, rawObjectId, rawType } from "./raw.ts";
import { INSTANCE_ACTOR, PATHS } from "../uris.ts";
import type { InboxInput, InboxRoute } from "./route.ts";

type Json = Record<string, unknown>;

/** A route with the module that declared it. */
export interface ModuleRoute {
  module: string;
  route: InboxRoute;
}

export interface InboxOptions {
  /** Whether a module's routes run (plugins switched off are skipped); all run by default. */
  isEnabled?(module: string): boolean;
}

/**
 * Activities whose object is a reference to something we hold (or held): it is never fetched, and
 * routes find it by its id (a deleted post, one of our posts liked, a banned actor).
 */
const REFERENCES = new Set([
  "Delete",
  "Remove",
  "Block",
  "Flag",
  "Like",
  "Follow",
  "Join",
  "Leave",
  "Lock",
]);
/** A group relays what its members wrote: the embedded object is taken as the group sends it
 * (each route still checks the group is one we follow and the author's instance is allowed). */
const TRUSTED_EMBEDDING = new Set(["Announce"]);

const typeOf = (object: ApObject) => rawType(object) ?? localTypeName(getTypeId(object).href)!;

/** The type of one of our own URIs: a local actor's, a served object's, or an activity we sent. */
async function localType(deps: FederationDeps, fed: Context<void>, id: URL) {
  const parsed = fed.parseUri(id);
  if (parsed?.type === "actor") return (await deps.actors.byIdentifier(parsed.identifier))?.type;
  // The Question template (/{kind}/{id}) also parses our activities' ids: only a source's kind
  // is a Question.
  if (parsed?.type === "object" && (parsed.class !== Question || isServedQuestion(parsed)))
    return localTypeName(parsed.class.typeId.href);
  const sent = await deps.app.db
    .selectFrom("federation_outbox")
    .select("activity_type")
    .where("activity_id", "=", id.href)
    .executeTakeFirst();
  return sent?.activity_type;
}

/** Handles one activity (and the payload it was parsed from, when known); the names of the
 * routes that took it. */
export type InboxDispatcher = (
  fed: Context<void>,
  activity: Activity,
  payload?: Json,
) => Promise<string[]>;

/** The payload the inbox received (Fedify keeps it on its inbox context, to forward it as is). */
function receivedPayload(fed: Context<void>): Json | undefined {
  const payload = (fed as { activity?: unknown }).activity;
  return payload && typeof payload === "object" && !Array.isArray(payload)
    ? (payload as Json)
    : undefined;
}

export function inboxDispatcher(
  deps: FederationDeps,
  routes: readonly ModuleRoute[],
  options: InboxOptions = {},
): InboxDispatcher {
  const { db, log: appLog, config } = deps.app;
  const matches = (type: string, objectType: string | undefined) =>
    routes.filter(({ route }) => {
      const activities = typeof route.activity === "string" ? [route.activity] : route.activity;
      const objects = typeof route.object === "string" ? [route.object] : route.object;
      return (
        activities.includes(type) &&
        (objects.includes("*") || (objectType !== undefined && objects.includes(objectType)))
      );
    });

  return async (fed, activity, payload = receivedPayload(fed)) => {
    const type =
      rawType(activity) ?? localTypeName(payload?.type) ?? localTypeName(getTypeId(activity).href)!;
    const log = appLog.child({ activity: activity.id?.href ?? null, type });
    // Fedify keeps the document it parsed, unless a part of it could not be decoded (Gancio's
    // relative tag links); then the payload as received, or Fedify's own serialisation, where
    // the terms it does not know are lost.
    const raw =
      rawDocument(activity) ??
      payload ??
      ((await tolerate(activity.toJsonLd(), undefined, log, "serialising the activity")) as
        Json | undefined);
    const senderUri = activity.actorId;
    if (!senderUri) {
      log.debug("activity without an actor: dropped");
      return [];
    }
    if (!(await deps.policy.allows(senderUri))) {
      log.info({ actor: senderUri.href }, "activity from an instance not allowed: dropped");
      return [];
    }
    let object: Promise<ApObject | null> | undefined;
    const resolve = () =>
      (object ??= tolerate(
        activity.getObject({ crossOrigin: TRUSTED_EMBEDDING.has(type) ? "trust" : "ignore" }),
        null,
        log,
        "reading the activity's object",
      ));
    const embedded = Array.isArray(raw?.object) ? raw.object[0] : raw?.object;
    const id = activity.objectId ?? rawObjectId(raw);
    let objectType =
      embedded && typeof embedded === "object" ? localTypeName((embedded as Json).type) : undefined;
    if (!objectType && id && id.origin === config.publicUrl.origin)
      objectType = await localType(deps, fed, id);
    else if (!objectType && id && !REFERENCES.has(type)) {
      const found = await resolve();
      objectType = found ? typeOf(found) : undefined;
    }

    let sender: Promise<RemoteActor | undefined> | undefined;
    const input: InboxInput = {
      activity,
      type,
      objectType,
      raw,
      object: resolve,
      fed,
      deps,
      senderUri,
      // Read with whether we follow it: most routes ask (issue 15: one statement for both).
      sender: () => (sender ??= resolveRemoteActor(db, fed, senderUri, log, { followed: true })),
      log: objectType ? log.child({ object: objectType }) : log,
    };
    const candidates = matches(type, objectType).filter(({ module, route }) => {
      const enabled = options.isEnabled?.(module) ?? true;
      if (!enabled) log.info({ route: route.name, module }, "module switched off: route skipped");
      return enabled;
    });
    const took: string[] = [];
    for (const tier of [false, true]) {
      if (tier && took.length > 0) break;
      for (const { route } of candidates)
        if ((route.fallback ?? false) === tier && (await route.handle(input)))
          took.push(route.name);
    }
    if (took.length === 0) log.debug({ object: objectType ?? null }, "activity not handled");
    else log.debug({ routes: took }, "activity handled");
    return took;
  };
}

export function registerInbox(
  federation: Federation<void>,
  deps: FederationDeps,
  dispatch: InboxDispatcher,
): void {
  federation
    .setInboxListeners(PATHS.inbox, PATHS.sharedInbox)
    // Every activity class, and types the vocabulary lacks (parsed as a plain Activity).
    .on(Activity, async (fed, activity) => void (await dispatch(fed, activity)))
    .onError((_fed, error) =>
      deps.app.log.warn({ err: error.message }, "inbox handler failed; will retry"),
    )
    // Fetches made while handling shared-inbox activities are signed by the instance actor.
    .setSharedKeyDispatcher(() => ({ identifier: INSTANCE_ACTOR }));
}

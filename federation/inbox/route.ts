// What a module declares to receive activities (`FederationModule.inbox`), and what a route gets.
// The dispatcher (dispatch.ts) reads the activity's type and its object's type once, resolves the
// object at most once, and runs every route declared for that pair (ADR 0062).
import type { Context } from "@fedify/fedify";
import type { Activity, Object as ApObject } from "@fedify/vocab";
import type { Logger } from "pino";
import type { RemoteActor } from "../actors/remote.ts";
import type { FederationDeps } from "../deps.ts";

type Json = Record<string, unknown>;

export interface InboxInput<A extends Activity = Activity> {
  activity: A;
  /** The activity's type as written (`Lock` too, which Fedify's vocabulary lacks). */
  type: string;
  /**
   * The object's type: as written when it is embedded, that of our own object or activity when
   * it names one, as fetched otherwise; undefined when only its id is known (the objects of
   * `Delete`, `Like`, `Flag`… are references and are never fetched).
   */
  objectType: string | undefined;
  /** The activity as received (compact JSON-LD), before anything was fetched. */
  raw: Json | undefined;
  /**
   * The object, resolved once for all the routes (embedded as received, or fetched from its id);
   * null when there is none or it cannot be read (the reason is logged).
   */
  object(): Promise<ApObject | null>;
  /** A Fedify context (the inbox's, signed by the instance actor when it fetches). */
  fed: Context<void>;
  deps: FederationDeps;
  /** The activity's actor, already checked against the domain policy. */
  senderUri: URL;
  /** The sending actor, fetched and stored the first time it is asked for. */
  sender(): Promise<RemoteActor | undefined>;
  /** Logs with the activity's id and type. */
  log: Logger;
}

export interface InboxRoute<A extends Activity = Activity> {
  /** Named in the logs: `offers.join`. */
  name: string;
  /** Activity types it receives, as written (`Create`, `Lock`). */
  activity: string | readonly string[];
  /** Object types it receives (`Note`, `Event`), or `*` for any, also one known by its id only. */
  object: string | readonly string[];
  /**
   * A fallback runs only when no other route of its pair took the activity (notes of followed
   * people: a Note that is neither a forum post nor an offer's message).
   */
  fallback?: boolean;
  /** Handles the activity; false when it is not this route's (then it changed nothing). Throwing
   * makes the inbox try the whole activity again later. */
  handle(input: InboxInput<A>): Promise<boolean>;
}

/** A route of a given activity class, stored with the others (its handler narrows the type). */
export function route<A extends Activity>(declared: InboxRoute<A>): InboxRoute {
  return declared as unknown as InboxRoute;
}

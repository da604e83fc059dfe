import type { InboxContext } from "@fedify/fedify";
import type { Activity } from "@fedify/vocab";
import type { RemoteActor } from "../actors/remote.ts";
import type { FederationDeps } from "../deps.ts";

/** What an inbox handler gets besides the activity. */
export interface InboxScope {
  fed: InboxContext<void>;
  deps: FederationDeps;
  /** The activity's actor, already checked against the domain policy. */
  senderUri: URL;
  /** The sending actor, fetched and stored the first time it is asked for. */
  sender(): Promise<RemoteActor | undefined>;
}

/** Returns true when it handled the activity; false lets the next handler of the type try. */
export type InboxHandler<A extends Activity> = (activity: A, scope: InboxScope) => Promise<boolean>;

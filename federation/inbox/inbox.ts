// Inbox listeners: every activity passes the domain policy on its actor (a Linked-Data-signed
// or proof-signed body can be relayed by an allowed server yet come from elsewhere), then goes to
// the registered handlers of its type.
import type { Federation, InboxContext } from "@fedify/fedify";
import type { Activity } from "@fedify/vocab";
import { resolveRemoteActor, type RemoteActor } from "../actors/remote.ts";
import type { FederationDeps } from "../deps.ts";
import { INSTANCE_ACTOR, PATHS } from "../uris.ts";
import { INBOX_ACTIVITIES, INBOX_HANDLERS, type InboxActivityType } from "./registry.ts";
import type { InboxHandler, InboxScope } from "./scope.ts";

export function registerInbox(federation: Federation<void>, deps: FederationDeps): void {
  const { log, db } = deps.app;
  const dispatch = async (type: InboxActivityType, fed: InboxContext<void>, activity: Activity) => {
    const senderUri = activity.actorId;
    if (!senderUri) return;
    if (!(await deps.policy.allows(senderUri))) {
      log.info({ actor: senderUri.href, type }, "activity from an instance not allowed: dropped");
      return;
    }
    let sender: Promise<RemoteActor | undefined> | undefined;
    const scope: InboxScope = {
      fed,
      deps,
      senderUri,
      sender: () => (sender ??= resolveRemoteActor(db, fed, senderUri)),
    };
    const handlers = INBOX_HANDLERS[type] as readonly InboxHandler<Activity>[];
    for (const handler of handlers) if (await handler(activity, scope)) return;
    log.debug({ activity: activity.id?.href, type }, "activity not handled");
  };

  const listeners = federation.setInboxListeners(PATHS.inbox, PATHS.sharedInbox);
  for (const type of Object.keys(INBOX_ACTIVITIES) as InboxActivityType[]) {
    const Class = INBOX_ACTIVITIES[type] as unknown as new () => Activity;
    listeners.on(Class, (fed, activity) => dispatch(type, fed, activity));
  }
  listeners
    .onError((_fed, error) => log.warn({ err: error.message }, "inbox handler failed; will retry"))
    // Fetches made while handling shared-inbox activities are signed by the instance actor.
    .setSharedKeyDispatcher(() => ({ identifier: INSTANCE_ACTOR }));
}

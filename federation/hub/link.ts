// A member instance's side of the network (ADR 0120): it asks a hub to join (a Join of its
// instance actor, signed as every delivery is), and, when its admin trusts the network list,
// keeps its federation allowlist in step with the hub's signed list. A list is taken only when
// its integrity proof is the hub's instance actor's; when the hub cannot be read, the last good
// copy stays in force and its age is shown.
import "../temporal.ts";
import { verifyObject } from "@fedify/fedify";
import { Join, OrderedCollection } from "@fedify/vocab";
import type { FederationRuntime } from "../deps.ts";
import { sendToActors } from "../outbox.ts";
import { INSTANCE_ACTOR, PATHS, actorUri, hostOf, newActivityId } from "../uris.ts";
import { NETWORK_PATH } from "./network.ts";

export interface HubLink {
  hubUrl: string;
  hubHost: string;
  requestedAt: Date | null;
  trustList: boolean;
  /** Hosts of the last good list, with the date the hub gave it and when it was fetched. */
  list: string[] | null;
  listUpdatedAt: Date | null;
  listFetchedAt: Date | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  /** Whether this instance is in the last good list. */
  member: boolean;
}

export async function readLink(runtime: FederationRuntime): Promise<HubLink | undefined> {
  const row = await runtime.app.db.selectFrom("hub_link").selectAll().executeTakeFirst();
  if (!row) return undefined;
  const list = row.list_json ? (JSON.parse(row.list_json) as string[]) : null;
  const own = runtime.app.config.publicUrl.host;
  return {
    hubUrl: row.hub_url,
    hubHost: hostOf(row.hub_url),
    requestedAt: row.requested_at,
    trustList: row.trust_list,
    list,
    listUpdatedAt: row.list_updated_at,
    listFetchedAt: row.list_fetched_at,
    lastError: row.last_error,
    lastAttemptAt: row.last_attempt_at,
    member: list?.includes(own) ?? false,
  };
}

/** Asks the hub at `hubUrl` (its origin) to take this instance in its network. */
export async function requestJoin(runtime: FederationRuntime, hubUrl: URL): Promise<void> {
  const { app, policy } = runtime;
  const origin = new URL(hubUrl.origin);
  // Asking to join is agreeing to federate with the hub (an admin's block still wins).
  await policy.allowForNetwork(hostOf(origin));
  const hubActor = new URL(PATHS.instanceActor, origin);
  const me = actorUri(app.config.publicUrl, INSTANCE_ACTOR);
  const id = newActivityId(app.config.publicUrl);
  await app.transaction(async (tx) => {
    const values = { hub_url: origin.href, join_activity_id: id.href, requested_at: new Date() };
    await tx.db
      .insertInto("hub_link")
      .values({ id: 1, ...values })
      .onConflict((oc) => oc.column("id").doUpdateSet(values))
      .execute();
    await sendToActors(
      tx,
      INSTANCE_ACTOR,
      [hubActor],
      new Join({ id, actor: me, object: hubActor, to: hubActor }),
    );
  });
}

export async function setTrust(runtime: FederationRuntime, trust: boolean): Promise<boolean> {
  const result = await runtime.app.db
    .updateTable("hub_link")
    .set({ trust_list: trust })
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  // Not trusting any more: the domains the list allowed go; trusting: the last good copy applies.
  const link = await readLink(runtime);
  await runtime.policy.syncNetwork(trust && link ? networkDomains(link) : []);
  return true;
}

/** The domains the network list allows: its members and the hub itself. */
function networkDomains(link: HubLink): string[] {
  return [...(link.list ?? []), link.hubHost];
}

export type SyncOutcome =
  | { ok: true; members: string[]; added: string[]; removed: string[] }
  | { ok: false; error: string };

/** Fetches the hub's list, checks its proof, keeps it, and applies it when the list is trusted. */
export async function syncNetworkList(runtime: FederationRuntime): Promise<SyncOutcome> {
  const { app } = runtime;
  const link = await readLink(runtime);
  if (!link) return { ok: false, error: "no hub" };
  const now = new Date();
  try {
    const members = await runtime.withOutgoing(() => fetchList(runtime, link.hubUrl));
    await app.db
      .updateTable("hub_link")
      .set({
        list_json: JSON.stringify(members.hosts),
        list_updated_at: members.updated,
        list_fetched_at: now,
        last_error: null,
        last_attempt_at: now,
      })
      .execute();
    const applied = link.trustList
      ? await runtime.policy.syncNetwork([...members.hosts, link.hubHost])
      : { added: [], removed: [] };
    return { ok: true, members: members.hosts, ...applied };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await app.db
      .updateTable("hub_link")
      .set({ last_error: message.slice(0, 500), last_attempt_at: now })
      .execute();
    return { ok: false, error: message };
  }
}

async function fetchList(
  runtime: FederationRuntime,
  hubUrl: string,
): Promise<{ hosts: string[]; updated: Date }> {
  const fed = runtime.context();
  const documentLoader = await fed.getDocumentLoader({ identifier: INSTANCE_ACTOR });
  const { document } = await documentLoader(new URL(NETWORK_PATH, hubUrl).href);
  return readNetworkList(runtime, hubUrl, document);
}

/** The hosts of a network list, if its proof is the hub's instance actor's; throws otherwise. */
export async function readNetworkList(
  runtime: FederationRuntime,
  hubUrl: string,
  document: unknown,
): Promise<{ hosts: string[]; updated: Date }> {
  const fed = runtime.context();
  const documentLoader = await fed.getDocumentLoader({ identifier: INSTANCE_ACTOR });
  const url = new URL(NETWORK_PATH, hubUrl);
  const collection = await verifyObject(OrderedCollection, document, {
    documentLoader,
    contextLoader: fed.contextLoader,
  });
  if (!collection) throw new Error("the list's proof could not be verified");
  const hub = new URL(PATHS.instanceActor, hubUrl).href;
  // verifyObject took it only with a valid proof by a key of its attributed actor: the hub's.
  if (collection.id?.href !== url.href || collection.attributionId?.href !== hub)
    throw new Error("the list is not the hub's");
  if (!collection.updated) throw new Error("the list has no date");
  const hosts = collection.itemIds.map((id) => hostOf(id));
  return {
    hosts: [...new Set(hosts)],
    updated: new Date(collection.updated.epochMilliseconds),
  };
}

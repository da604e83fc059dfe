// Several instances in this process on loopback ports, federating over real HTTP.
import "../../federation/temporal.ts";
import { Create, Note, PUBLIC_COLLECTION } from "@fedify/vocab";
import supertest from "supertest";
import { publishToFollowers } from "../../federation/outbox.ts";
import { cmcasNote } from "../support/cmcas-note.ts";
import { actorUri, newActivityId } from "../../federation/uris.ts";
import { createMember, type Member } from "../support/accounts.ts";
import { freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import type { WireTap } from "../support/wire-tap.ts";

export interface Peer {
  name: string;
  instance: TestInstance;
  host: string;
  url: string;
  admin: Member & { token: string };
  /** The same instance again after stop(): same database, data folder and port. */
  restart(): Promise<void>;
}

export type Network = Record<string, Peer>;

/** `allows[x]` lists the peers x federates with (FEDERATION_ALLOWED_DOMAINS). With `tap`, each
 * instance is known by the address of a recording proxy in front of it (its PUBLIC_URL). */
export async function startNetwork(
  allows: Record<string, string[]>,
  options: {
    persist?: string[];
    tap?: WireTap;
    pluginDirs?: readonly string[];
    /** More environment for some peers (e.g. HUB=1 for one of them). */
    env?: Record<string, Record<string, string>>;
  } = {},
): Promise<Network> {
  const names = Object.keys(allows);
  const listening: Record<string, number> = {};
  const { tap } = options;
  const ports = Object.fromEntries(
    await Promise.all(
      names.map(async (n) => [n, tap ? await tap.front(n, () => listening[n]!) : await freePort()]),
    ),
  );
  const host = (name: string) => `127.0.0.1:${ports[name]}`;
  const network: Network = {};
  for (const name of names) {
    const env = {
      FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1",
      FEDERATION_ALLOWED_DOMAINS: (allows[name] ?? []).map(host).join(","),
      INSTANCE_NAME: `CMCAS ${name.toUpperCase()}`,
      ...(tap ? { PUBLIC_URL: `http://${host(name)}` } : {}),
      ...options.env?.[name],
    };
    const persist = options.persist?.includes(name) ?? false;
    listening[name] = tap ? await freePort() : ports[name];
    const plugins = options.pluginDirs ? { pluginDirs: options.pluginDirs } : {};
    const instance = await startTestInstance({ env, port: listening[name], persist, ...plugins });
    const admin = await createMember(instance, "admin");
    const peer: Peer = {
      name,
      instance,
      host: host(name),
      url: tap ? `http://${host(name)}` : instance.url,
      admin: { ...admin, token: await tokenFor(instance, admin) },
      async restart() {
        const stopped = peer.instance;
        peer.instance = await startTestInstance({
          env,
          reuse: {
            databaseUrl: stopped.databaseUrl,
            dataDir: stopped.dataDir,
            port: stopped.port,
            redisPrefix: stopped.redisPrefix,
          },
        });
      },
    };
    network[name] = peer;
  }
  return network;
}

export async function stopNetwork(network: Network): Promise<void> {
  await Promise.all(Object.values(network).map((p) => p.instance.destroy()));
}

export async function tokenFor(instance: TestInstance, member: Member): Promise<string> {
  const res = await supertest(instance.url)
    .post("/api/v1/tokens")
    .send({ email: member.email, password: member.password });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${res.text}`);
  return (res.body as { token: string }).token;
}

export function api(peer: Peer, token = peer.admin.token) {
  const agent = supertest(peer.url);
  const auth = `Bearer ${token}`;
  return {
    get: (path: string) => agent.get(`/api/v1${path}`).set("authorization", auth),
    post: (path: string, body: object) =>
      agent.post(`/api/v1${path}`).set("authorization", auth).send(body),
    patch: (path: string, body: object) =>
      agent.patch(`/api/v1${path}`).set("authorization", auth).send(body),
    delete: (path: string, body?: object) =>
      agent.delete(`/api/v1${path}`).set("authorization", auth).send(body),
  };
}

/** A member with an API token; discoverable members have a Person actor. */
export async function member(peer: Peer, discoverable: boolean) {
  const m = await createMember(peer.instance);
  const token = await tokenFor(peer.instance, m);
  if (discoverable) {
    const res = await api(peer, token).patch("/me", { discoverable: true });
    if (res.status !== 200) throw new Error(`discoverable: ${res.status} ${res.text}`);
  }
  return { ...m, token };
}

/** A GET signed by `peer`'s instance actor, as its federation fetches documents; undefined when
 * refused. */
export async function signedGet(
  peer: Peer,
  url: string,
): Promise<Record<string, unknown> | undefined> {
  const ctx = peer.instance.federation.context();
  const load = await ctx.getDocumentLoader({ identifier: "instance" });
  try {
    return (await load(url)).document as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Polls until `probe` gives a truthy value (jobs and deliveries run asynchronously). */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Publishes the CMCAS's note `text` to its followers; resolves to its id once `count`
 * deliveries of it are recorded as delivered. */
export async function fanOutNote(instance: TestInstance, text: string, count: number) {
  const create = cmcasNote(instance.ctx.config.publicUrl, text);
  await instance.ctx.transaction((tx) => publishToFollowers(tx, "cmcas", create));
  const id = create.id!.href;
  await waitFor("every delivery recorded as delivered", async () => {
    const rows = await instance.ctx.db
      .selectFrom("federation_deliveries")
      .select("status")
      .where("activity_id", "=", id)
      .execute();
    return rows.length === count && rows.every((r) => r.status === "delivered");
  });
  return id;
}

/** Waits until no job is pending or running on these instances (a Peer, or any `{ instance }`). */
export async function drain(...peers: Pick<Peer, "instance">[]): Promise<void> {
  await waitFor("queues to drain", async () => {
    for (const peer of peers) {
      const stats = await peer.instance.ctx.queue.stats();
      if (stats.pending + stats.running > 0) return false;
    }
    return true;
  });
}

/** The CMCAS of `peer` publishes a public note to its followers, as a feature would. */
export async function publishNote(peer: Peer, text: string, actorId = "cmcas") {
  const publicUrl = peer.instance.ctx.config.publicUrl;
  const actor = actorUri(publicUrl, actorId);
  const noteId = new URL(`/notes/${crypto.randomUUID()}`, publicUrl);
  const activityId = newActivityId(publicUrl);
  await peer.instance.ctx.transaction((tx) =>
    publishToFollowers(
      tx,
      actorId,
      new Create({
        id: activityId,
        actor,
        to: PUBLIC_COLLECTION,
        object: new Note({
          id: noteId,
          attribution: actor,
          content: `<p>${text}</p>`,
          to: PUBLIC_COLLECTION,
          published: Temporal.Now.instant(),
        }),
      }),
    ),
  );
  return { noteId: noteId.href, activityId: activityId.href };
}

export function noteKept(peer: Peer, uri: string) {
  return peer.instance.ctx.db
    .selectFrom("federation_remote_notes")
    .selectAll()
    .where("uri", "=", uri)
    .executeTakeFirst();
}

export function deliveryOf(peer: Peer, activityId: string, host: string) {
  return peer.instance.ctx.db
    .selectFrom("federation_deliveries")
    .selectAll()
    .where("activity_id", "=", activityId)
    .where("host", "=", host)
    .executeTakeFirst();
}

/** `from`'s CMCAS follows `to`'s and waits for the Accept: an instance keeps only the notes of
 * the actors it follows (or that mention its members). */
export async function followCmcas(from: Peer, to: Peer): Promise<void> {
  const follow = await api(from).post("/follows", { target: `@cmcas@${to.host}`, as: "cmcas" });
  if (follow.status !== 201) throw new Error(`follow refused: ${follow.status} ${follow.text}`);
  await waitFor(`${from.host} to follow ${to.host}`, async () =>
    ((await api(from).get("/follows?as=cmcas")).body as { target?: string; state: string }[]).some(
      (f) => f.state === "accepted",
    ),
  );
}

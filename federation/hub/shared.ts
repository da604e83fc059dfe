// Aggregates shared with the hub (ADR 0125). A member whose admin agreed serves its monthly
// aggregates (small cells left out) at AGGREGATES_PATH, only to a GET signed by its hub's
// instance actor; one that has not agreed serves nothing. The hub fetches each accepted member's
// document with a signed GET and keeps what came, or forgets it when a member stopped sharing.
import type express from "express";
import { verifyRequest } from "@fedify/fedify";
import type { AppContext } from "../../server/context.ts";
import { ownSharedAggregates, parseShared, saveShared } from "../../server/hub/shared.repo.ts";
import type { FederationRuntime } from "../deps.ts";
import { INSTANCE_ACTOR, hostOf } from "../uris.ts";
import { readLink } from "./link.ts";

export const AGGREGATES_PATH = "/hub/aggregates";

export async function setSharing(runtime: FederationRuntime, share: boolean): Promise<boolean> {
  const done = await runtime.app.db
    .updateTable("hub_link")
    .set({ share_aggregates: share })
    .executeTakeFirst();
  return done.numUpdatedRows > 0n;
}

export async function sharing(runtime: FederationRuntime): Promise<boolean> {
  const row = await runtime.app.db
    .selectFrom("hub_link")
    .select("share_aggregates")
    .executeTakeFirst();
  return row?.share_aggregates ?? false;
}

/** The member's side: its document, to its hub only, and only with its admin's consent. */
export function sharedRoutes(router: express.Router, ctx: AppContext, runtime: FederationRuntime) {
  router.get(AGGREGATES_PATH, async (req, res) => {
    const link = await readLink(runtime);
    const problem = (status: number, detail: string) =>
      res.status(status).type("application/problem+json").send({ status, detail });
    if (!link || !(await sharing(runtime)))
      return problem(404, "This instance does not share its aggregates.");
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === "string") headers.set(name, value);
    const request = new Request(new URL(req.originalUrl, ctx.config.publicUrl), { headers });
    const fed = runtime.context();
    const key = await verifyRequest(request, {
      documentLoader: fed.documentLoader,
      contextLoader: fed.contextLoader,
    }).catch(() => null);
    if (!key) return problem(401, "A GET signed by the hub is required.");
    if (!key.ownerId || hostOf(key.ownerId.href) !== link.hubHost)
      return problem(403, "Only this instance's hub may read its aggregates.");
    res
      .type("application/json")
      .set("cache-control", "no-store")
      .send({ instance: ctx.config.publicUrl.host, cells: await ownSharedAggregates(ctx.db) });
  });
}

export type CollectOutcome = { host: string; ok: boolean; cells: number };

/** The hub's side: a signed GET of every accepted member's document. */
export async function collectShared(runtime: FederationRuntime): Promise<CollectOutcome[]> {
  const { app } = runtime;
  const members = await app.db
    .selectFrom("hub_members")
    .select(["host", "actor_uri"])
    .where("state", "=", "accepted")
    .execute();
  const fed = runtime.context();
  const documentLoader = await fed.getDocumentLoader({ identifier: INSTANCE_ACTOR });
  const outcomes: CollectOutcome[] = [];
  for (const member of members) {
    let cells: ReturnType<typeof parseShared>;
    try {
      const url = new URL(AGGREGATES_PATH, member.actor_uri).href;
      const { document } = await runtime.withOutgoing(() => documentLoader(url));
      cells = parseShared(document);
    } catch {
      cells = undefined;
    }
    // Not shared (or no longer): nothing of that member is kept.
    await app.transaction((tx) => saveShared(tx.db, member.host, cells ?? []));
    outcomes.push({ host: member.host, ok: cells !== undefined, cells: cells?.length ?? 0 });
  }
  return outcomes;
}

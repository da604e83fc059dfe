// A publisher accepts our Follow: what it already published is read from its outbox by a job.
// This route and the follows' one both take the Accept, in either order: this one asks for the
// job whether or not the Accept is recorded yet (the job waits for it), that one records it. A
// repeated Accept reads the outbox again, which keeps the objects as they are now. The offers and
// the tutorials each register one, named after their own backfill job.
import type { Accept } from "@fedify/vocab";
import { findRemoteActor } from "../actors/remote.ts";
import type { JobType } from "../../server/jobs/job-types.ts";
import { route } from "../inbox/route.ts";

export function backfillOnAccept(
  name: string,
  job: JobType & ("offers.backfill" | "tutorials.backfill"),
) {
  return route<Accept>({
    name,
    activity: "Accept",
    object: "*",
    async handle(input) {
      if (input.objectType !== undefined && input.objectType !== "Follow") return false;
      const { db, queue } = input.deps.app;
      const remote = await findRemoteActor(db, { uri: input.senderUri.href });
      if (!remote?.outbox) return false;
      const following = await db
        .selectFrom("federation_follows")
        .select("id")
        .where("remote_actor_id", "=", remote.id)
        .where("direction", "=", "outgoing")
        .where("state", "in", ["pending", "accepted"])
        .executeTakeFirst();
      if (following) await queue.enqueue(job, { remoteActorId: remote.id }, { delayMs: 500 });
      return false;
    },
  });
}

// A remote group's answer to our member's Follow (issue 16, cause 19): the membership stays
// pending until the group's Accept; a Reject removes it and tells the member. The follows module
// records the Follow's state; this route only concerns the forum membership.
import { Follow, type Activity } from "@fedify/vocab";
import { remoteGroupAnswered } from "../../server/forums/remote-groups.service.ts";
import { findFollow } from "../follows/follows.repo.ts";
import { route, type InboxInput } from "../inbox/route.ts";

/** Which of our members the answered Follow was from: by its id, else by the embedded actor. */
async function followerOf(input: InboxInput<Activity>): Promise<string | undefined> {
  const { app } = input.deps;
  const id = input.activity.objectId;
  const record = id
    ? await findFollow(app.db, { activityId: id.href, direction: "outgoing" })
    : undefined;
  if (record) return record.localActor;
  const object = await input.object();
  if (!(object instanceof Follow) || object.objectId?.href !== input.senderUri.href) return;
  const parsed = object.actorId ? input.fed.parseUri(object.actorId) : null;
  return parsed?.type === "actor" ? parsed.identifier : undefined;
}

const answer = (type: "Accept" | "Reject") =>
  route<Activity>({
    name: `forums.follow-${type.toLowerCase()}`,
    activity: type,
    object: "*",
    async handle(input) {
      if (input.objectType !== undefined && input.objectType !== "Follow") return false;
      const userId = await followerOf(input);
      if (!userId) return false;
      const { app } = input.deps;
      return app.transaction((tx) =>
        remoteGroupAnswered(tx, app.config.publicUrl, {
          groupApId: input.senderUri.href,
          userId,
          accepted: type === "Accept",
        }),
      );
    },
  });

export const followAnswersInbox = [answer("Accept"), answer("Reject")];

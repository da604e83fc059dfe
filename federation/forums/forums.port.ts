// The forums' port (server/forums/forums.port.ts). What a forum change sends is built in the
// `forums.federate` job, asked for here inside the change's transaction, so it runs after commit
// and resolves mentions by WebFinger outside any request (outbound.ts).
import type { ForumsPort } from "../../server/forums/forums.port.ts";
import type { FederationRuntime } from "../deps.ts";
import { readyMedia } from "../media/media.ts";
import { findRemoteGroup, followGroup, unfollowGroup } from "./follow-groups.ts";

export function forumsPort(runtime: FederationRuntime): ForumsPort {
  return {
    postCreated: async (tx, postId) => tx.enqueue("forums.federate", { action: "create", postId }),
    postUpdated: async (tx, postId) => tx.enqueue("forums.federate", { action: "update", postId }),
    postRemoved: async (tx, postId, reason, byAuthor) =>
      tx.enqueue("forums.federate", {
        action: "remove",
        postId,
        reason,
        ...(byAuthor ? { byAuthor } : {}),
      }),
    postRestored: async (tx, postId, reason) =>
      tx.enqueue("forums.federate", { action: "restore", postId, reason }),
    reported: async (tx, reportId) => tx.enqueue("forums.federate", { action: "report", reportId }),
    banned: async (tx, banId) => tx.enqueue("forums.federate", { action: "block", banId }),
    topicLocked: async (tx, topicId, locked, reason) =>
      tx.enqueue("forums.federate", { action: locked ? "lock" : "unlock", topicId, reason }),
    topicPinned: async (tx, topicId, pinned, reason) =>
      tx.enqueue("forums.federate", { action: pinned ? "pin" : "unpin", topicId, reason }),
    topicMoved: async (tx, topicId, fromGroupId, reason) =>
      tx.enqueue("forums.federate", { action: "move", topicId, fromGroupId, reason }),
    groupChanged: async (tx, groupId) =>
      tx.enqueue("forums.federate", { action: "group", groupId }),
    liked: async (tx, postId, userId) =>
      tx.enqueue("forums.federate", { action: "like", postId, userId }),
    unliked: async (tx, postId, userId, likeId) =>
      tx.enqueue("forums.federate", { action: "unlike", postId, userId, likeId }),
    findGroup: (userId, target) => findRemoteGroup(runtime, userId, target),
    followGroup: (tx, userId, group) => followGroup(runtime, tx, userId, group),
    unfollowGroup: (tx, userId, groupApId) => unfollowGroup(runtime, tx, userId, groupApId),
    async remoteAvatars(actorUris) {
      const uris = [...new Set(actorUris)];
      if (uris.length === 0) return new Map();
      const rows = await runtime.app.db
        .selectFrom("federation_remote_actors")
        .select(["uri", "icon_url"])
        .where("uri", "in", uris)
        .where("icon_url", "is not", null)
        .execute();
      const found = new Map<string, string>();
      for (const row of rows) {
        const path = await readyMedia(runtime.app, row.icon_url, "avatar");
        if (path) found.set(row.uri, path);
      }
      return found;
    },
  };
}

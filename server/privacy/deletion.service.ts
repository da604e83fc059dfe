// Account deletion, asked by the member. Their forum posts are removed (and removed on the
// instances that hold copies) or kept under "Ancien membre", as they chose; their actor is deleted
// everywhere it was known (the port), and answers a Tombstone from then on. Everything tied to
// the account goes with it (registrations, family members, notifications, tokens, sessions); the
// CMCAS's own list of members (member_records) stays, unlinked.
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { countAdmins, findCredentialsByEmail } from "../accounts/accounts.repo.ts";
import { verifyPassword } from "../accounts/secrets.ts";
import type { User } from "../accounts/accounts.repo.ts";
import type { ForumsPort } from "../forums/forums.port.ts";
import { setRemoved } from "../forums/posts.repo.ts";
import { refreshTopicCount, setTopicFlags } from "../forums/topics.repo.ts";
import type { PrivacyPort } from "./privacy.port.ts";

export type ContentChoice = "anonymise" | "remove";
export const CONTENT_CHOICES: readonly ContentChoice[] = ["anonymise", "remove"];

export interface DeletionDeps {
  privacy: PrivacyPort;
  forums: ForumsPort;
  /** The name shown instead of a deleted member's (in the instance's language). */
  formerMember: string;
  removalReason: string;
  /** The modules close what the member published (the plugins' listings). */
  closeListings(tx: Tx, userId: string): Promise<void>;
}

export function deletionDeps(ctx: AppContext, req: { t: (key: string) => string }): DeletionDeps {
  return {
    privacy: ctx.ports.privacy,
    forums: ctx.ports.forums,
    formerMember: req.t("privacy:formerMember"),
    removalReason: req.t("privacy:removedByAuthor"),
    closeListings: (tx, userId) => ctx.modules.accountClosed(tx, userId),
  };
}

export async function deleteAccount(
  tx: Tx,
  deps: DeletionDeps,
  user: User,
  input: { password: string; content: ContentChoice },
): Promise<Result<void, "wrong_password" | "last_admin">> {
  const credentials = await findCredentialsByEmail(tx.db, user.email);
  if (!(await verifyPassword(credentials?.passwordHash, input.password)))
    return fail("wrong_password");
  if (user.role === "admin" && (await countAdmins(tx.db)) <= 1) return fail("last_admin");

  if (input.content === "remove") {
    const posts = await tx.db
      .selectFrom("forum_posts")
      .select(["id", "topic_id", "group_id", "position"])
      .where("author_id", "=", user.id)
      .where("removed_at", "is", null)
      .execute();
    for (const post of posts) {
      await setRemoved(tx.db, post.id, { by: user.id, reason: deps.removalReason });
      if (post.position === 1) {
        await setTopicFlags(tx.db, post.topic_id, { removedAt: new Date() });
        await refreshTopicCount(tx.db, post.group_id);
      }
      await deps.forums.postRemoved(tx, post.id, deps.removalReason);
    }
  }
  // Either way the name goes: removed posts keep their place in threads, kept ones their text.
  await tx.db
    .updateTable("forum_posts")
    .set({ author_name: deps.formerMember })
    .where("author_id", "=", user.id)
    .execute();
  await tx.db
    .updateTable("forum_topics")
    .set({ author_name: deps.formerMember })
    .where("author_id", "=", user.id)
    .execute();

  await deps.closeListings(tx, user.id);
  await deps.privacy.accountDeleted(tx, user.id);
  await tx.db
    .insertInto("deleted_accounts")
    .values({ user_id: user.id, content: input.content })
    .execute();
  await tx.db.deleteFrom("users").where("id", "=", user.id).execute();
  return ok(undefined);
}

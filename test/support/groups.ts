// A public, open group made by a staff member: what tests and benchmarks of the forums' inbox
// post into (a remote member writes in it through the shared inbox).
import { createGroup, forumDeps } from "../../server/forums/groups.service.ts";
import { createMember } from "./accounts.ts";
import type { TestInstance } from "./instance.ts";

/** The group "Entraide" (or `slug`): its id and its actor's URI. */
export async function openGroup(
  instance: TestInstance,
  slug = "entraide",
): Promise<{ id: string; uri: string }> {
  const staff = await createMember(instance, "admin");
  const created = await instance.ctx.transaction((tx) =>
    createGroup(tx, forumDeps(instance.ctx), staff.user, {
      name: "Entraide",
      slug,
      visibility: "public",
      joinPolicy: "open",
      postPolicy: "members",
    }),
  );
  if (!created.ok) throw new Error(`the group could not be made: ${created.error}`);
  return { id: created.value.id, uri: `${instance.url}/users/${slug}` };
}

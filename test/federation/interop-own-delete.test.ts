// Our members delete their own posts (issue 16, cause 11): shown as deleted by the author, not
// as a moderators' removal, and federated as the author's Delete, which the group announces.
import assert from "node:assert/strict";
import { forumMember, type ForumMember } from "../forums/helpers.ts";
import { FakePeer } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { waitFor } from "./harness.ts";

const AS = "https://www.w3.org/ns/activitystreams";

describe("federation: a member deletes their own post", function () {
  this.timeout(120_000);
  let peer: FakePeer;
  let instance: TestInstance;
  let staff: ForumMember;
  let anna: ForumMember;
  let group: { id: string; actor: string };

  before(async () => {
    peer = await FakePeer.start();
    instance = await startTestInstance({
      env: { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1", FEDERATION_ALLOWED_DOMAINS: peer.host },
    });
    staff = await forumMember(instance, "staff");
    anna = await forumMember(instance, "member", { prefix: "anna" });
    const created = await staff.api.post("/groups", { name: "Vélo", visibility: "public" });
    assert.equal(created.status, 201, created.text);
    group = { id: created.body.id, actor: `${instance.url}/users/${created.body.slug}` };
    const joined = await anna.api.post(`/groups/${group.id}/membership`, {});
    assert.ok(joined.status < 300, joined.text);
    const bob = await peer.actor("/users/bob", { type: "Person", preferredUsername: "bob" });
    const res = await peer.post(
      `${instance.url}/inbox`,
      { "@context": AS, id: `${bob}/follow/1`, type: "Follow", actor: bob, object: group.actor },
      bob,
    );
    assert.equal(res.status, 202, await res.text());
    await waitFor("the group's Accept", async () =>
      peer.received.some((r) => r.body?.type === "Accept"),
    );
  });
  after(async () => {
    await instance?.destroy();
    await peer?.close();
  });

  it("deletes a reply, shows it as deleted by its author and announces the author's Delete", async () => {
    const opened = await staff.api.post(`/groups/${group.id}/topics`, {
      title: "Sortie dimanche",
      content: "Qui vient ?",
    });
    assert.equal(opened.status, 201, opened.text);
    const replied = await anna.api.post(`/topics/${opened.body.id}/replies`, { content: "Moi !" });
    assert.equal(replied.status, 201, replied.text);
    const replyId = replied.body.id as string;
    // Someone else's post: refused.
    const notMine = await staff.api.post(`/posts/${replyId}/deletion`, {});
    assert.equal(notMine.status, 403, notMine.text);
    const deleted = await anna.api.post(`/posts/${replyId}/deletion`, {});
    assert.equal(deleted.status, 204, deleted.text);
    const again = await anna.api.post(`/posts/${replyId}/deletion`, {});
    assert.equal(again.status, 409, again.text);

    const page = await anna.agent.get(`/topics/${opened.body.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /supprimé par son auteur/);
    assert.doesNotMatch(page.text, /retiré par la modération/);

    const announce = await waitFor("the Announce of the author's Delete", async () =>
      peer.received.find((r) => {
        const inner = r.body?.object as { type?: string } | undefined;
        return r.body?.type === "Announce" && inner?.type === "Delete";
      }),
    );
    assert.equal(announce.body!.actor, group.actor);
    const del = announce.body!.object as { actor: string; object: string };
    assert.equal(del.actor, `${instance.url}/users/${anna.user.id}`);
    assert.equal(typeof del.object, "string");
    assert.ok(!("summary" in del), "an author's deletion is no moderation: no reason");
  });

  it("deletes an opening post with no replies (the topic goes); not once it has replies", async () => {
    const alone = await anna.api.post(`/groups/${group.id}/topics`, {
      title: "Erreur",
      content: "Posté trop vite",
    });
    assert.equal(alone.status, 201, alone.text);
    const first = (await anna.api.get(`/topics/${alone.body.id}`)).body.posts[0].id as string;
    const deleted = await anna.api.post(`/posts/${first}/deletion`, {});
    assert.equal(deleted.status, 204, deleted.text);
    const gone = await anna.api.get(`/topics/${alone.body.id}`);
    assert.equal(gone.body.topic.removed, true, gone.text);
    assert.equal(gone.body.posts[0].removal.reason, "Supprimé par son auteur");

    const busy = await anna.api.post(`/groups/${group.id}/topics`, {
      title: "Discussion",
      content: "Parlons-en",
    });
    await staff.api.post(`/topics/${busy.body.id}/replies`, { content: "D'accord" });
    const opening = (await anna.api.get(`/topics/${busy.body.id}`)).body.posts[0].id as string;
    const refused = await anna.api.post(`/posts/${opening}/deletion`, {});
    assert.equal(refused.status, 409, refused.text);
    assert.match(refused.text, /réponses/);
  });
});

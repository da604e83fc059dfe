import assert from "node:assert/strict";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { submit } from "../support/web.ts";
import { forumMember, newGroup, notificationsOf } from "../forums/helpers.ts";

// A report must reach someone who can act, and its author must hear what became of it.
describe(`first impressions: forum reports reach someone and come back (${MODE})`, function () {
  this.timeout(60_000);
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  it("tells the instance's moderators when the author is the group's only moderator, and tells the reporter the outcome", async () => {
    const owner = await forumMember(instance, "staff");
    const instanceModerator = await forumMember(instance, "moderator");
    const reader = await forumMember(instance);
    const group = await newGroup(instance, owner, { name: "Jardinage partagé" });
    const first = await owner.api.post(`/groups/${group.id}/topics`, {
      title: "Bourse aux graines",
      content: "Venez avec vos graines.",
    });
    assert.equal(first.status, 201, first.text);
    const second = await owner.api.post(`/groups/${group.id}/topics`, {
      title: "Arrosage",
      content: "Qui arrose en août ?",
    });
    const postOf = async (topicId: string) =>
      (await reader.api.get(`/topics/${topicId}`)).body.posts[0].id as string;

    // The only moderator wrote it: the instance's moderators hear of it.
    const postId = await postOf(first.body.id);
    const reported = await submit(
      reader.agent,
      `/posts/${postId}/report`,
      `/posts/${postId}/report`,
      {
        reason: "Vente déguisée",
      },
    );
    assert.equal(reported.status, 303);
    const told = (await notificationsOf(instance, instanceModerator.user.id)).filter(
      (n) => n.kind === "forums:reported",
    );
    assert.equal(told.length, 1);
    assert.equal(told[0]!.link, "/forums/reports");
    assert.ok(
      !(await notificationsOf(instance, owner.user.id)).some((n) => n.kind === "forums:reported"),
      "the reported author is not the one told",
    );

    // The instance moderator removes it: the reporter hears it.
    const removed = await submit(
      instanceModerator.agent,
      `/posts/${postId}/remove`,
      `/posts/${postId}/remove`,
      { reason: "Commerce interdit" },
    );
    assert.equal(removed.status, 303, removed.text);
    const outcome = (await notificationsOf(instance, reader.user.id)).find(
      (n) => n.kind === "forums:reportResolved",
    );
    assert.ok(outcome, "the reporter is told the post was removed");
    assert.equal((outcome.data as { reason: string }).reason, "Commerce interdit");

    // A dismissed report is told too.
    const other = await postOf(second.body.id);
    await submit(reader.agent, `/posts/${other}/report`, `/posts/${other}/report`, {
      reason: "Hors sujet",
    });
    const queue = await instanceModerator.api.get(`/groups/${group.id}/reports`);
    assert.equal(queue.status, 200, queue.text);
    const reportId = queue.body.items[0].id as string;
    const dismissed = await submit(
      instanceModerator.agent,
      "/forums/reports",
      `/groups/${group.slug}/reports/${reportId}/dismiss`,
      { reason: "C'est bien le sujet du groupe" },
    );
    assert.equal(dismissed.status, 303);
    assert.ok(
      (await notificationsOf(instance, reader.user.id)).some(
        (n) => n.kind === "forums:reportDismissed",
      ),
    );
  });
});

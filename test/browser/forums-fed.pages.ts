// Forums federation pages for the axe scan: following a remote group (also in its error state),
// a remote group's page and one of its topics, as they show once received.
import type { Page as BrowserPage } from "playwright-core";
import { Note, Page, PUBLIC_COLLECTION } from "@fedify/vocab";
import { saveRemoteActor } from "../../federation/actors/remote.ts";
import { saveRemoteGroup } from "../../server/forums/remote-groups.service.ts";
import { remoteGroup } from "../../federation/forums/inbound-shared.ts";
import { applyGroupActivity } from "../../federation/forums/remote-groups.ts";
import type { TestInstance } from "../support/instance.ts";
import type { PageSource } from "./harness.ts";

async function submitEmpty(page: BrowserPage) {
  await Promise.all([page.waitForLoadState("load"), page.click("main form button[type=submit]")]);
}

function remoteActor(instance: TestInstance, uri: string, type: string, name: string) {
  return saveRemoteActor(instance.ctx.db, {
    uri,
    host: new URL(uri).host,
    type,
    username: new URL(uri).pathname.split("/").pop()!,
    name,
    summary: "<p>Échanges entre cyclistes de la région.</p>",
    url: uri,
    iconUrl: null,
    inbox: `${uri}/inbox`,
    sharedInbox: null,
    outbox: null,
    followersUrl: null,
  });
}

export const pages: PageSource = async ({ instance }) => {
  const runtime = instance.federation;
  // As if an admin had allowed the instance: content of other instances is kept only then.
  await runtime.policy.set("lemmy.exemple.org", "allow", null);
  const groupUri = "https://lemmy.exemple.org/c/velotaf";
  const authorUri = "https://lemmy.exemple.org/u/camille";
  await remoteActor(instance, authorUri, "Person", "Camille");
  const saved = await saveRemoteGroup(
    instance.ctx.db,
    await remoteActor(instance, groupUri, "Group", "Vélotaf"),
  );
  const group = (await remoteGroup(instance.ctx.db, groupUri))!;
  const attribution = new URL(authorUri);
  const topic = new Page({
    id: new URL("https://lemmy.exemple.org/post/1"),
    attribution,
    name: "Itinéraires sûrs pour aller au travail",
    content: "<p>Partagez vos trajets <strong>préférés</strong>.</p>",
    audience: new URL(groupUri),
    // Public, as Lemmy addresses its posts: the group stays public here (ADR 0085).
    tos: [new URL(groupUri), PUBLIC_COLLECTION],
  });
  const answer = new Note({
    id: new URL("https://lemmy.exemple.org/comment/2"),
    attribution,
    content: "<p>Le long du canal, sans voitures.</p>",
    replyTarget: topic.id,
    audience: new URL(groupUri),
    tos: [new URL(groupUri), PUBLIC_COLLECTION],
  });
  for (const object of [topic, answer])
    await applyGroupActivity(runtime, runtime.context(), group, object, groupUri);
  const stored = await instance.ctx.db
    .selectFrom("forum_posts")
    .select("topic_id")
    .where("ap_id", "=", topic.id!.href)
    .executeTakeFirstOrThrow();
  return [
    { path: "/groups/follow", as: "member" },
    { path: "/groups/follow", as: "member", prepare: submitEmpty },
    { path: `/groups/${saved.slug}`, as: "anonymous" },
    { path: `/groups/${saved.slug}`, as: "member" },
    { path: `/topics/${stored.topic_id}`, as: "member" },
    { path: `/groups/${saved.slug}/moderation`, as: "member" },
  ];
};

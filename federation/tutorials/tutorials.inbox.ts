// Tutorials of the CMCAS we follow: Create and Update of their Articles are kept in our library
// (through the tutorials' service), marked with the publisher's territory; a Delete removes them
// with the reason its `summary` carries (ADR 0115).
import { Article, Image, type Create, type Delete, type Update } from "@fedify/vocab";
import { deleteRemoteTutorial, saveRemoteTutorial } from "../../server/tutorials/remote.service.ts";
import { findRemoteActor } from "../actors/remote.ts";
import { isFollowed } from "../offers/offers.inbox.ts";
import { route } from "../inbox/route.ts";

const onArticle = route<Create | Update>({
  name: "tutorials.article",
  activity: ["Create", "Update"],
  object: "Article",
  async handle(input) {
    const article = await input.object();
    if (!(article instanceof Article) || !article.id) return false;
    const { app } = input.deps;
    const sender = await input.sender();
    if (!sender) throw new Error(`cannot fetch the actor ${input.senderUri.href}`);
    // Only the actors we follow fill our library, and only with their own server's Articles.
    if (!(await isFollowed(app.db, sender)) || new URL(article.id).host !== sender.host)
      return true;
    const images: { url: string; alt: string }[] = [];
    for await (const attachment of article.getAttachments())
      if (attachment instanceof Image && attachment.url instanceof URL)
        images.push({ url: attachment.url.href, alt: attachment.name?.toString() ?? "" });
    const tags: string[] = [];
    for await (const tag of article.getTags())
      if (tag.name) tags.push(tag.name.toString().replace(/^#/, ""));
    const url = article.url instanceof URL ? article.url.href : article.id.href;
    const published = article.published ?? article.updated;
    await app.transaction((tx) =>
      saveRemoteTutorial(tx, sender.id, {
        uri: article.id!.href,
        url,
        title: article.name?.toString() ?? "",
        summary: article.summary?.toString() ?? "",
        contentHtml: article.content?.toString() ?? "",
        tags,
        images,
        territory: sender.name || sender.host,
        publishedAt: published ? new Date(published.epochMilliseconds) : new Date(),
      }),
    );
    return true;
  },
});

const onDelete = route<Delete>({
  name: "tutorials.delete",
  activity: "Delete",
  object: "*",
  async handle(input) {
    const uri = input.activity.objectId?.href;
    if (!uri) return false;
    const { app } = input.deps;
    const sender = await findRemoteActor(app.db, { uri: input.senderUri.href });
    if (!sender) return false;
    const reason = input.activity.summary?.toString() ?? null;
    return app.transaction((tx) => deleteRemoteTutorial(tx, sender.id, uri, reason));
  },
});

export const tutorialsInbox = [onArticle, onDelete];

import type express from "express";
import multer from "multer";
import { avatarsOf } from "../members/avatar.ts";
import type { AppContext } from "../context.ts";
import { requireUser } from "../http/auth.ts";
import { uploadRoute } from "../http/csrf.ts";
import { HttpError, type FieldError } from "../http/errors.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { handlers } from "../http/handlers.ts";
import { compileForm } from "../http/validate.ts";
import { mayPost } from "./access.ts";
import { checkImage, MAX_IMAGE_BYTES, type CheckedImage } from "./attachments.ts";
import {
  CONTENT_MAX,
  editFormSchema,
  replyFormSchema,
  TITLE_MAX,
  topicFormSchema,
  type EditForm,
  type ReplyForm,
  type TopicForm,
} from "./forums.schemas.ts";
import { failure, message, readableGroup, readablePost, readableTopic } from "./forums.web.ts";
import { groupHeader } from "./groups.routes.ts";
import { isSubscribed, subscribe } from "./groups.service.ts";
import { pageOfPosition, postPath, pageParam, pager, POSTS_PER_PAGE } from "./paging.ts";
import { quoteMarkdown } from "./richtext.ts";
import * as topics from "./topics.service.ts";
import { forumDeps } from "./groups.service.ts";

const validateTopic = compileForm<TopicForm>(topicFormSchema);
const validateReply = compileForm<ReplyForm>(replyFormSchema);
const validateEdit = compileForm<EditForm>(editFormSchema);

const multipart = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 12, fieldSize: CONTENT_MAX * 4 },
}).single("image");

/** Parses a post form with its optional image; an oversized image becomes a form error. */
function withImage(req: express.Request, res: express.Response, next: express.NextFunction) {
  multipart(req, res, (error: unknown) => {
    if (error instanceof multer.MulterError && error.code === "LIMIT_FILE_SIZE") {
      res.locals.imageError = "image_size";
      req.body ??= {};
      return next();
    }
    next(error);
  });
}

const topicBody = uploadRoute("/groups/:slug/topics/new", withImage);
const replyBody = uploadRoute("/topics/:id/replies", withImage);

type ImageResult =
  | { ok: true; image: (CheckedImage & { description: string }) | undefined }
  | { ok: false; errors: FieldError[] };

function imageOf(req: express.Request, res: express.Response): ImageResult {
  const description = (req.body as { imageDescription?: string }).imageDescription;
  const sizeError = res.locals.imageError as string | undefined;
  if (sizeError)
    return { ok: false, errors: [{ field: "image", key: `forums:errors.${sizeError}` }] };
  if (!req.file || req.file.size === 0) return { ok: true, image: undefined };
  const checked = checkImage(req.file, description);
  if (!checked.ok) {
    const field = checked.error === "image_description" ? "imageDescription" : "image";
    return { ok: false, errors: [{ field, key: `forums:errors.${checked.error}` }] };
  }
  return { ok: true, image: { ...checked.value, description: description! } };
}

const limits = { titleMax: TITLE_MAX, contentMax: CONTENT_MAX };
type Req = express.Request;
type Res = express.Response;

export function topicRoutes(router: express.Router, ctx: AppContext): void {
  const on = handlers(ctx);
  router.get("/groups/:slug/topics/new", requireUser, on(newTopicForm));
  router.post("/groups/:slug/topics/new", requireUser, ...topicBody, on(createTopic));
  router.get("/topics/:id", on(topicPage));
  router.get("/posts/:id/reply", requireUser, on(replyForm));
  router.post("/topics/:id/replies", requireUser, ...replyBody, on(reply));
  router.get("/posts/:id/edit", requireUser, on(editPage));
  router.post("/posts/:id/edit", requireUser, on(editPost));
  router.post("/posts/:id/like", requireUser, on(like));
  router.post("/posts/:id/delete", requireUser, on(deletePost));
  router.post("/topics/:id/subscription", requireUser, on(subscription));
  router.get("/forums/media/:id", on(media));
}

async function topicFormPage(
  ctx: AppContext,
  req: Req,
  res: Res,
  values: object,
  errors?: FieldError[],
  status?: number,
) {
  const found = await readableGroup(ctx.db, req.user, { slug: String(req.params.slug) });
  renderForm(
    res,
    "forums/topic-form",
    ctx.i18n,
    req,
    {
      title: req.t("forums:topicForm.title"),
      ...groupHeader(ctx, found, "topics"),
      ...limits,
      values,
      errors,
    },
    status,
  );
}

async function newTopicForm(ctx: AppContext, req: Req, res: Res) {
  const found = await readableGroup(ctx.db, req.user, { slug: String(req.params.slug) });
  const allowed = mayPost(found.group, found.access, "topic");
  if (!allowed.ok)
    throw new HttpError(failure(allowed.error).status, `forums:errors.${allowed.error}`);
  await topicFormPage(ctx, req, res, {});
}

async function createTopic(ctx: AppContext, req: Req, res: Res) {
  const found = await readableGroup(ctx.db, req.user, { slug: String(req.params.slug) });
  const form = parseForm(validateTopic, req.body);
  if (!form.ok) return topicFormPage(ctx, req, res, req.body as object, form.errors);
  const image = imageOf(req, res);
  if (!image.ok) return topicFormPage(ctx, req, res, req.body as object, image.errors);
  const result = await ctx.transaction((tx) =>
    topics.createTopic(tx, forumDeps(ctx), {
      ...found,
      user: req.user!,
      title: form.value.title,
      source: form.value.content,
      image: image.image,
    }),
  );
  if (!result.ok) {
    const failed = failure(result.error, result.details, found.access);
    return topicFormPage(
      ctx,
      req,
      res,
      req.body as object,
      [{ field: "content", key: failed.key, values: failed.values }],
      failed.status,
    );
  }
  flash(req, "forums:topicForm.created");
  res.redirect(303, `/topics/${result.value.topicId}`);
}

async function topicPage(
  ctx: AppContext,
  req: Req,
  res: Res,
  values: object = {},
  errors?: FieldError[],
  status?: number,
) {
  const found = await readableTopic(ctx.db, req.user, String(req.params.id));
  const { topic, access } = found;
  const pages = Math.max(1, Math.ceil(topic.postCount / POSTS_PER_PAGE));
  const page = Math.min(pageParam(req.query.page), pages);
  const { posts, lastRead } = await topics.readTopicPage(ctx.db, {
    topic,
    userId: req.user?.id,
    page,
  });
  const canReply = mayPost(found.group, access, "reply", topic);
  const withAvatar = await avatarsOf(
    ctx.db,
    posts.map((p) => p.authorId),
  );
  // Authors elsewhere: their icon through our sized copy, the initial until it is made.
  const remoteAvatars = await ctx.ports.forums.remoteAvatars(
    posts.flatMap((p) => (p.authorApId ? [p.authorApId] : [])),
  );
  const firstUnread =
    lastRead === null ? undefined : posts.find((p) => p.position > lastRead)?.position;
  renderForm(
    res,
    "forums/topic",
    ctx.i18n,
    req,
    {
      title: topic.title,
      ...groupHeader(ctx, found, "topics"),
      topic,
      // Its first post deleted by its author (elsewhere): not a moderators' removal.
      topicDeletedByAuthor: posts.some((p) => p.position === 1 && p.removedByAuthor),
      posts: posts.map((p) => ({
        ...p,
        page,
        firstUnread: p.position === firstUnread,
        authorAvatar: p.authorId !== null && withAvatar.has(p.authorId),
        remoteAvatar: p.authorApId ? remoteAvatars.get(p.authorApId) : undefined,
        mine: req.user?.id === p.authorId,
        showContent: !p.removedAt || access.isModerator || req.user?.id === p.authorId,
        canEdit: req.user?.id === p.authorId && !p.removedAt && !access.ban,
        canDelete:
          req.user?.id === p.authorId && !p.removedAt && (p.position > 1 || topic.postCount < 2),
        canReply: canReply.ok && !p.removedAt,
        canReact: req.user !== undefined && !access.ban && !p.removedAt,
        replyPages: p.replies.map((r) => ({ ...r, page: pageOfPosition(r.position) })),
        parentPage: p.inReplyTo ? pageOfPosition(p.inReplyTo.position) : undefined,
      })),
      pager: pager(topic.postCount, page, POSTS_PER_PAGE),
      canReply: canReply.ok,
      whyNotReply:
        canReply.ok || canReply.error === "sign_in"
          ? undefined
          : message(req, failure(canReply.error, {}, access)),
      subscribed: req.user ? await isSubscribed(ctx.db, req.user.id, { topicId: topic.id }) : false,
      ...limits,
      values,
      errors,
    },
    status,
  );
}

async function replyFormPage(
  ctx: AppContext,
  req: Req,
  res: Res,
  values: object,
  errors?: FieldError[],
  status?: number,
) {
  const found = await readablePost(ctx.db, req.user, String(req.params.id));
  renderForm(
    res,
    "forums/reply-form",
    ctx.i18n,
    req,
    {
      title: req.t("forums:replyForm.title", { name: found.post.authorName }),
      ...groupHeader(ctx, found, "topics"),
      topic: found.topic,
      parent: found.post,
      ...limits,
      values,
      errors,
    },
    status,
  );
}

async function replyForm(ctx: AppContext, req: Req, res: Res) {
  const found = await readablePost(ctx.db, req.user, String(req.params.id));
  const allowed = mayPost(found.group, found.access, "reply", found.topic);
  if (!allowed.ok)
    throw new HttpError(failure(allowed.error).status, `forums:errors.${allowed.error}`);
  const quote = req.query.quote === "1" && !found.post.removedAt;
  await replyFormPage(ctx, req, res, {
    inReplyTo: found.post.id,
    ...(quote
      ? {
          quoteOf: found.post.id,
          content: quoteMarkdown(
            found.post.source ?? found.post.text,
            req.t("forums:replyForm.quoteHeading", { name: found.post.authorName }),
          ),
        }
      : {}),
  });
}

async function reply(ctx: AppContext, req: Req, res: Res) {
  const found = await readableTopic(ctx.db, req.user, String(req.params.id));
  const body = req.body as ReplyForm;
  // A reply written on the page of a post goes back to that page when it needs correcting.
  const again = (errors: FieldError[], status?: number) => {
    if (body.inReplyTo && /^[0-9a-f-]{36}$/i.test(body.inReplyTo)) {
      req.params.id = body.inReplyTo;
      return replyFormPage(ctx, req, res, body, errors, status);
    }
    return topicPage(ctx, req, res, body, errors, status);
  };
  const form = parseForm(validateReply, req.body);
  if (!form.ok) return again(form.errors);
  const image = imageOf(req, res);
  if (!image.ok) return again(image.errors);
  const result = await ctx.transaction((tx) =>
    topics.reply(tx, forumDeps(ctx), {
      ...found,
      user: req.user!,
      source: form.value.content,
      inReplyToId: form.value.inReplyTo,
      quoteOfId: form.value.quoteOf,
      image: image.image,
    }),
  );
  if (!result.ok) {
    const failed = failure(result.error, result.details, found.access);
    return again([{ field: "content", key: failed.key, values: failed.values }], failed.status);
  }
  const post = (await topics.findPost(ctx.db, result.value.postId))!;
  res.redirect(303, postPath(found.topic.id, post.position));
}

async function editPage(
  ctx: AppContext,
  req: Req,
  res: Res,
  values?: object,
  errors?: FieldError[],
  status?: number,
) {
  const found = await readablePost(ctx.db, req.user, String(req.params.id));
  if (found.post.authorId !== req.user!.id) throw new HttpError(403, "errors.forbidden");
  renderForm(
    res,
    "forums/post-edit",
    ctx.i18n,
    req,
    {
      title: req.t("forums:editForm.title"),
      ...groupHeader(ctx, found, "topics"),
      topic: found.topic,
      post: found.post,
      opening: found.post.position === 1,
      ...limits,
      values: values ?? {
        content: found.post.source ?? found.post.text,
        title: found.topic.title,
      },
      errors,
    },
    status,
  );
}

async function editPost(ctx: AppContext, req: Req, res: Res) {
  const found = await readablePost(ctx.db, req.user, String(req.params.id));
  const form = parseForm(validateEdit, req.body);
  if (!form.ok) return editPage(ctx, req, res, req.body as object, form.errors);
  const result = await ctx.transaction((tx) =>
    topics.editPost(tx, forumDeps(ctx), {
      ...found,
      user: req.user!,
      source: form.value.content,
      title: form.value.title,
    }),
  );
  if (!result.ok) {
    const failed = failure(result.error, {}, found.access);
    return editPage(
      ctx,
      req,
      res,
      req.body as object,
      [{ field: "content", key: failed.key, values: failed.values }],
      failed.status,
    );
  }
  flash(req, "forums:editForm.saved");
  res.redirect(303, postPath(found.topic.id, found.post.position));
}

async function like(ctx: AppContext, req: Req, res: Res) {
  const found = await readablePost(ctx.db, req.user, String(req.params.id));
  const on = (req.body as { on?: string }).on === "1";
  const result = await ctx.transaction((tx) =>
    topics.like(tx, forumDeps(ctx), { ...found, user: req.user!, on }),
  );
  if (!result.ok) {
    const failed = failure(result.error, {}, found.access);
    throw new HttpError(failed.status, failed.key);
  }
  res.redirect(303, postPath(found.topic.id, found.post.position));
}

async function deletePost(ctx: AppContext, req: Req, res: Res) {
  const found = await readablePost(ctx.db, req.user, String(req.params.id));
  const result = await ctx.transaction((tx) =>
    topics.deleteOwnPost(tx, forumDeps(ctx), { ...found, user: req.user! }),
  );
  if (!result.ok) {
    const failed = failure(result.error, {}, found.access);
    throw new HttpError(failed.status, failed.key);
  }
  flash(req, "forums:topic.deleted");
  res.redirect(303, `/topics/${found.topic.id}`);
}

async function subscription(ctx: AppContext, req: Req, res: Res) {
  const { topic } = await readableTopic(ctx.db, req.user, String(req.params.id));
  const on = (req.body as { on?: string }).on === "1";
  await subscribe(ctx.db, req.user!.id, { topicId: topic.id }, on);
  flash(req, on ? "forums:subscription.topicOn" : "forums:subscription.topicOff");
  res.redirect(303, `/topics/${topic.id}`);
}

// Images are served with the type found in their bytes, never sniffed again by the browser
// (helmet sends nosniff), in a sandbox, and only to people who may read their group.
async function media(ctx: AppContext, req: Req, res: Res) {
  const found = await topics.findAttachment(ctx.db, String(req.params.id));
  if (!found?.data) throw new HttpError(404, "errors.notFound");
  const { group, access } = await readableGroup(ctx.db, req.user, { id: found.groupId });
  if (found.removed && !access.isModerator) throw new HttpError(404, "errors.notFound");
  res
    .type(found.contentType)
    .set({
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "Content-Disposition": `inline; filename="image-${found.id}.${found.contentType.slice(6)}"`,
      "Cache-Control":
        group.visibility === "public" ? "public, max-age=86400" : "private, max-age=3600",
    })
    .send(found.data);
}

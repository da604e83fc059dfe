// The tutorials in the JSON API: the library (search, filters), a tutorial with every step and
// image, writing a draft and its steps, publishing, comments and "Je l'ai fait !" posts.
import type { ApiRegistry, ApiRequest } from "../api/api-registry.ts";
import type { AppContext } from "../context.ts";
import { HttpError } from "../http/errors.ts";
import { forumDeps } from "../forums/groups.service.ts";
import { listMade } from "./around.service.ts";
import { comment, listComments } from "./comments.service.ts";
import * as repo from "./tutorials.repo.ts";
import * as service from "./tutorials.service.ts";
import { changeTutorial } from "./federate.ts";
import {
  formToInput,
  stepFormSchema,
  tutorialFormSchema,
  type StepForm,
  type TutorialForm,
} from "./tutorials.forms.ts";
import { DIFFICULTIES, type Difficulty } from "./tutorials.tables.ts";

const SUMMARY_JSON = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    url: { type: "string", format: "uri" },
    title: { type: "string" },
    summary: { type: "string" },
    category: { type: "string" },
    difficulty: { type: "string", enum: DIFFICULTIES },
    durationMinutes: { type: ["integer", "null"] },
    costCents: { type: ["integer", "null"] },
    tags: { type: "array", items: { type: "string" } },
    licence: { type: "string" },
    visibility: { type: "string" },
    status: { type: "string" },
    author: { type: ["string", "null"] },
    madeCount: { type: "integer" },
    usefulCount: { type: "integer" },
    viewCount: { type: "integer" },
    publishedAt: { type: ["string", "null"], format: "date-time" },
  },
} as const;

const IMAGE_JSON = {
  type: "object",
  properties: { url: { type: "string", format: "uri" }, alt: { type: "string" } },
} as const;

const TUTORIAL_JSON = {
  type: "object",
  properties: {
    ...SUMMARY_JSON.properties,
    materials: { type: "string" },
    tools: { type: "string" },
    cover: { anyOf: [IMAGE_JSON, { type: "null" }] },
    steps: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          position: { type: "integer" },
          title: { type: "string" },
          html: { type: "string" },
          videoUrl: { type: ["string", "null"] },
          images: { type: "array", items: IMAGE_JSON },
        },
      },
    },
  },
} as const;

type Req<B = unknown, Q = Record<string, unknown>> = ApiRequest<B, Q>;

export function tutorialsApi(api: ApiRegistry, ctx: AppContext): void {
  const base = ctx.config.publicUrl;
  const url = (path: string) => new URL(path, base).href;
  const summary = (t: repo.Tutorial) => ({
    id: t.id,
    url: url(`/tutorials/${t.id}`),
    title: t.title,
    summary: t.summary,
    category: t.categorySlug,
    difficulty: t.difficulty,
    durationMinutes: t.durationMinutes,
    costCents: t.costCents,
    tags: t.tags,
    licence: t.licence,
    visibility: t.visibility,
    status: t.status,
    author: t.authorName,
    madeCount: t.madeCount,
    usefulCount: t.usefulCount,
    viewCount: t.viewCount,
    publishedAt: t.publishedAt?.toISOString() ?? null,
  });
  const readable = async (req: Req) => {
    const t = await repo.findTutorial(ctx.db, String(req.params.id));
    if (!t || !(await repo.mayRead(ctx.db, t, req.apiUser)))
      throw new HttpError(404, "errors.notFound");
    return t;
  };
  const editable = async (req: Req) => {
    const t = await repo.findTutorial(ctx.db, String(req.params.id));
    if (!t) throw new HttpError(404, "errors.notFound");
    if (!(await repo.mayEdit(ctx.db, t, req.apiUser))) throw new HttpError(403, "errors.forbidden");
    return t;
  };
  const full = async (t: repo.Tutorial) => {
    const [steps, images] = await Promise.all([
      repo.listSteps(ctx.db, t.id),
      repo.listImages(ctx.db, t.id),
    ]);
    const image = (i: repo.ImageRef) => ({
      url: url(`/tutorials/${t.id}/images/${i.id}`),
      alt: i.alt,
    });
    const cover = images.find((i) => i.id === t.coverImageId);
    return {
      ...summary(t),
      materials: t.materials,
      tools: t.tools,
      cover: cover ? image(cover) : null,
      steps: steps.map((s) => ({
        id: s.id,
        position: s.position,
        title: s.title,
        html: s.contentHtml,
        videoUrl: s.videoUrl,
        images: images.filter((i) => i.stepId === s.id).map(image),
      })),
    };
  };

  api.add<unknown, { q?: string; category?: string; difficulty?: Difficulty; page?: number }>({
    method: "get",
    path: "/tutorials",
    summary: "Published tutorials the caller may read: French full-text search and filters",
    tags: ["tutorials"],
    auth: "optional",
    query: {
      properties: {
        q: { type: "string", maxLength: 200 },
        category: { type: "string", maxLength: 40 },
        difficulty: { type: "string", enum: DIFFICULTIES },
        page: { type: "integer", minimum: 1, maximum: 1000 },
      },
    },
    responses: {
      200: {
        description: "A page of tutorials (20 a page)",
        schema: {
          type: "object",
          properties: { items: { type: "array", items: SUMMARY_JSON }, total: { type: "integer" } },
        },
      },
    },
    async handler(req, res) {
      const { q, category, difficulty, page = 1 } = req.validQuery;
      const list = await repo.listTutorials(ctx.db, req.apiUser, {
        q: q?.trim() || undefined,
        category,
        difficulty,
        limit: 20,
        offset: (page - 1) * 20,
      });
      res.json({ items: list.items.map(summary), total: list.total });
    },
  });

  api.add({
    method: "get",
    path: "/tutorials/:id",
    summary: "A tutorial with every step, its images and their alt text",
    tags: ["tutorials"],
    auth: "optional",
    responses: { 200: { description: "The tutorial", schema: TUTORIAL_JSON } },
    async handler(req, res) {
      res.json(await full(await readable(req)));
    },
  });

  api.add<TutorialForm>({
    method: "post",
    path: "/tutorials",
    summary: "Write a tutorial: a draft, its steps added next (category is the category's id)",
    tags: ["tutorials"],
    auth: "user",
    body: tutorialFormSchema,
    responses: {
      201: { description: "The draft", schema: TUTORIAL_JSON },
      422: { description: "Unknown or archived category" },
    },
    async handler(req, res) {
      const created = await ctx.transaction((tx) =>
        service.createTutorial(tx, req.apiUser!, formToInput(req.body)),
      );
      if (!created.ok) throw new HttpError(422, "tutorials:errors.category");
      res.status(201).json(await full((await repo.findTutorial(ctx.db, created.value))!));
    },
  });

  api.add<StepForm>({
    method: "post",
    path: "/tutorials/:id/steps",
    summary: "Add a step at the end (text in Markdown, rendered to the forums' safe HTML)",
    tags: ["tutorials"],
    auth: "user",
    body: stepFormSchema,
    responses: {
      201: { description: "The tutorial with its steps", schema: TUTORIAL_JSON },
      403: { description: "Not one of its authors" },
      422: { description: "Already 60 steps" },
    },
    async handler(req, res) {
      const t = await editable(req);
      const added = await ctx.transaction((tx) =>
        service.addStep(tx, base.host, t.id, {
          title: req.body.title,
          source: req.body.text ?? "",
          videoUrl: req.body.video ?? null,
        }),
      );
      if (!added.ok) throw new HttpError(422, "tutorials:errors.tooManySteps");
      res.status(201).json(await full(t));
    },
  });

  api.add({
    method: "post",
    path: "/tutorials/:id/publish",
    summary: "Publish a tutorial (it needs at least one step)",
    tags: ["tutorials"],
    auth: "user",
    responses: {
      200: { description: "The published tutorial", schema: TUTORIAL_JSON },
      422: { description: "No step yet" },
    },
    async handler(req, res) {
      const t = await editable(req);
      if (t.status === "removed") throw new HttpError(403, "errors.forbidden");
      const done = await changeTutorial(ctx, t.id, (tx) => service.publish(tx, t.id));
      if (!done.ok) throw new HttpError(422, "tutorials:errors.noSteps");
      res.json(await full((await repo.findTutorial(ctx.db, t.id))!));
    },
  });

  api.add({
    method: "get",
    path: "/tutorials/:id/comments",
    summary: "A tutorial's comments (posts of its forum topic) and 'Je l'ai fait !' posts",
    tags: ["tutorials"],
    auth: "optional",
    responses: {
      200: {
        description: "Comments and made-it posts",
        schema: {
          type: "object",
          properties: {
            comments: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  id: { type: "string" },
                  author: { type: ["string", "null"] },
                  html: { type: "string" },
                  likes: { type: "integer" },
                  createdAt: { type: "string", format: "date-time" },
                },
              },
            },
            made: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  id: { type: "string" },
                  author: { type: ["string", "null"] },
                  text: { type: "string" },
                  image: { anyOf: [IMAGE_JSON, { type: "null" }] },
                },
              },
            },
          },
        },
      },
    },
    async handler(req, res) {
      const t = await readable(req);
      const [comments, made] = await Promise.all([
        listComments(ctx.db, t.id, req.apiUser),
        listMade(ctx.db, t.id),
      ]);
      res.json({
        comments: comments.posts
          .filter((p) => !p.removedAt)
          .map((p) => ({
            id: p.id,
            author: p.authorName,
            html: p.html,
            likes: p.likeCount,
            createdAt: p.createdAt.toISOString(),
          })),
        made: made.map((m) => ({
          id: m.id,
          author: m.author,
          text: m.body,
          image: m.imageId
            ? { url: url(`/tutorials/${t.id}/images/${m.imageId}`), alt: m.alt ?? "" }
            : null,
        })),
      });
    },
  });

  api.add<{ text: string }>({
    method: "post",
    path: "/tutorials/:id/comments",
    summary: "Comment on a tutorial (Markdown, @mentions); its authors are told",
    tags: ["tutorials"],
    auth: "user",
    body: {
      type: "object",
      required: ["text"],
      additionalProperties: false,
      properties: { text: { type: "string", minLength: 1, maxLength: 10000, pattern: "\\S" } },
    },
    responses: {
      201: {
        description: "The comment's id",
        schema: { type: "object", properties: { id: { type: "string" } } },
      },
      403: { description: "Not allowed (banned, or the tutorial is not published)" },
      429: { description: "New account: posting slowed down" },
    },
    async handler(req, res) {
      const t = await readable(req);
      const done = await ctx.transaction((tx) =>
        comment(
          tx,
          forumDeps(ctx),
          { tutorial: t, user: req.apiUser!, source: req.body.text },
          ctx.ports.tutorials,
        ),
      );
      if (!done.ok)
        throw new HttpError(done.error === "slow_down" ? 429 : 403, "tutorials:errors.comment", {
          detail: done.error,
        });
      res.status(201).json({ id: done.value.postId });
    },
  });
}

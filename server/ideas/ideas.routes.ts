// The idea box's pages: the list (by category), proposing, an idea with its supports, official
// answers and discussion, the staff's list of ideas awaiting an answer. Moderation (report,
// remove or restore with a reason, the public log) is the listings' shared one.
import type express from "express";
import type { AppContext } from "../context.ts";
import { MODERATOR_ROLES, STAFF_ROLES, requireRole, requireUser } from "../http/auth.ts";
import { HttpError, type FieldError } from "../http/errors.ts";
import { flash, renderForm } from "../http/forms.ts";
import { forumDeps } from "../forums/groups.service.ts";
import { describedBy, listingModerationRoutes } from "../moderation/listings.routes.ts";
import { DEFAULT_TIMEZONE } from "../offers/offers.schemas.ts";
import { commentAccess, comment, listComments } from "./comments.service.ts";
import * as ideas from "./ideas.service.ts";
import { ANSWER_STATUSES, IDEA_CATEGORIES, type IdeaCategory } from "./ideas.tables.ts";

const str = (v: unknown) => (typeof v === "string" ? v : "");
const isStaff = (req: express.Request) =>
  req.user !== undefined && STAFF_ROLES.includes(req.user.role);

export function ideaRoutes(router: express.Router, ctx: AppContext): void {
  const deps = forumDeps(ctx);
  const limit = () => ideas.threshold(ctx.modules.settings("ideas"));
  const card = (req: express.Request, i: Awaited<ReturnType<typeof ideas.listIdeas>>[number]) => ({
    ...i,
    categoryLabel: req.t(`ideas:categories.${i.category}`),
    statusLabel: req.t(`ideas:statuses.${i.status}`),
    awaiting: i.status === "open" && i.supports >= limit(),
  });

  router.use("/idees", (_req, res, next) => {
    res.locals.tz = DEFAULT_TIMEZONE;
    next();
  });

  router.get("/idees", async (req, res) => {
    const category = (IDEA_CATEGORIES as readonly string[]).includes(str(req.query.category))
      ? (str(req.query.category) as IdeaCategory)
      : undefined;
    const list = await ideas.listIdeas(ctx.db, category ? { category } : {});
    res.render("ideas/index", {
      title: req.t("ideas:title"),
      ideas: list.map((i) => card(req, i)),
      threshold: limit(),
      categories: IDEA_CATEGORIES.map((value) => ({
        value,
        label: req.t(`ideas:categories.${value}`),
        selected: value === category,
      })),
      allSelected: !category,
      staff: isStaff(req),
    });
  });

  const newForm = (
    req: express.Request,
    res: express.Response,
    values: object = {},
    errors: FieldError[] = [],
  ) =>
    renderForm(res, "ideas/new", ctx.i18n, req, {
      title: req.t("ideas:new.title"),
      categories: IDEA_CATEGORIES.map((value) => ({
        value,
        label: req.t(`ideas:categories.${value}`),
        selected: value === (values as Record<string, string>).category,
      })),
      values,
      errors,
    });

  router.get("/idees/nouvelle", requireUser, (req, res) => newForm(req, res));

  router.post("/idees", requireUser, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const input = { category: str(body.category), title: str(body.title), body: str(body.body) };
    const created = await ideas.propose(ctx.db, req.user!.id, input);
    if (!created.ok) return newForm(req, res, input, created.details!.problems as FieldError[]);
    flash(req, "ideas:flash.proposed");
    res.redirect(303, `/idees/${created.value.id}`);
  });

  router.get("/idees/a-repondre", requireRole(...STAFF_ROLES), async (req, res) => {
    const list = await ideas.listIdeas(ctx.db, { awaitingFrom: limit() });
    res.render("ideas/awaiting", {
      title: req.t("ideas:awaiting.title"),
      ideas: list.map((i) => card(req, i)),
      threshold: limit(),
    });
  });

  listingModerationRoutes(router, ctx, {
    module: "ideas",
    base: "/idees",
    find: describedBy(ideas.findIdea, (found) => ({
      authorId: found.author_id,
      title: found.title,
    })),
    setRemoved: ideas.setRemoved,
  });

  const visibleIdea = async (req: express.Request) => {
    const idea = await ideas.findIdea(ctx.db, String(req.params.id));
    const moderator = req.user !== undefined && MODERATOR_ROLES.includes(req.user.role);
    if (!idea || (idea.removed_reason !== null && !moderator && idea.author_id !== req.user?.id))
      throw new HttpError(404, "errors.notFound");
    return idea;
  };

  const ideaPage = async (
    req: express.Request,
    res: express.Response,
    values: object = {},
    errors: FieldError[] = [],
  ) => {
    const idea = await visibleIdea(req);
    const [history, supported, comments, forum] = await Promise.all([
      ideas.answers(ctx.db, idea.id),
      ideas.hasSupported(ctx.db, idea.id, req.user?.id),
      listComments(ctx.db, idea, req.user),
      commentAccess(ctx.db, req.user),
    ]);
    const access = forum?.access;
    renderForm(res, "ideas/idea", ctx.i18n, req, {
      title: idea.title,
      idea: card(req, idea),
      threshold: limit(),
      answers: history.map((a) => ({ ...a, statusLabel: req.t(`ideas:statuses.${a.status}`) })),
      supported,
      own: idea.author_id === req.user?.id,
      open: idea.removed_reason === null && !["declined", "done"].includes(idea.status),
      staff: isStaff(req),
      moderator: req.user !== undefined && MODERATOR_ROLES.includes(req.user.role),
      statuses: ANSWER_STATUSES.map((value) => ({
        value,
        label: req.t(`ideas:statuses.${value}`),
        selected: value === (values as Record<string, string>).status,
      })),
      // The forums' post partial reads the moderator's rights from the page's `access`.
      access,
      comments: comments.posts.map((p) => ({
        ...p,
        page: 1,
        mine: req.user?.id === p.authorId,
        showContent: !p.removedAt || access?.isModerator || req.user?.id === p.authorId,
        canEdit: req.user?.id === p.authorId && !p.removedAt && !access?.ban,
        canReply: false,
        canReact: req.user !== undefined && !access?.ban && !p.removedAt,
        replyPages: [],
      })),
      topicId: comments.topic?.id,
      values,
      errors,
    });
  };

  router.get("/idees/:id", (req, res) => ideaPage(req, res));

  router.post("/idees/:id/soutien", requireUser, async (req, res) => {
    const idea = await visibleIdea(req);
    const done = await ctx.transaction((tx) => ideas.support(tx, idea, req.user!.id));
    if (!done.ok)
      throw new HttpError(409, `ideas:errors.support.${done.error}`, {
        detail: req.t(`ideas:errors.support.${done.error}`),
      });
    flash(req, "ideas:flash.supported");
    res.redirect(303, `/idees/${idea.id}`);
  });

  router.post("/idees/:id/commentaires", requireUser, async (req, res) => {
    const idea = await visibleIdea(req);
    const source = str((req.body as Record<string, unknown>).text)
      .slice(0, 10_000)
      .trim();
    if (source.length === 0) throw new HttpError(422, "ideas:errors.commentEmpty");
    const done = await ctx.transaction((tx) =>
      comment(tx, deps, { idea, user: req.user!, source }),
    );
    if (!done.ok)
      throw new HttpError(done.error === "slow_down" ? 429 : 403, "ideas:errors.comment", {
        detail: done.error,
      });
    flash(req, "ideas:flash.commented");
    res.redirect(303, `/idees/${idea.id}#comments`);
  });

  router.post("/idees/:id/reponse", requireRole(...STAFF_ROLES), async (req, res) => {
    const idea = await visibleIdea(req);
    const body = req.body as Record<string, unknown>;
    const input = { status: str(body.status), answer: str(body.answer) };
    const done = await ctx.transaction((tx) =>
      ideas.answer(tx, deps, {
        idea,
        staffId: req.user!.id,
        status: input.status,
        body: input.answer,
      }),
    );
    if (!done.ok) return ideaPage(req, res, input, done.details!.problems as FieldError[]);
    flash(req, "ideas:flash.answered");
    res.redirect(303, `/idees/${idea.id}`);
  });
}

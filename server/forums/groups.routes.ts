import type express from "express";
import type { AppContext } from "../context.ts";
import { requireUser } from "../http/auth.ts";
import { HttpError, type FieldError } from "../http/errors.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { handlers } from "../http/handlers.ts";
import { compileForm } from "../http/validate.ts";
import { picturesOf } from "./group-picture.ts";
import { groupAccess, mayPost } from "./access.ts";
import { groupFormSchema, inviteFormSchema, type GroupForm } from "./forums.schemas.ts";
import { JOIN_POLICIES, POST_POLICIES, VISIBILITIES } from "./forums.tables.ts";
import { failure, type InGroup, message, moderatedGroup, readableGroup } from "./forums.web.ts";
import * as groups from "./groups.service.ts";
import { BAN_DAYS, listActiveBans } from "./moderation.service.ts";
import { GROUPS_PER_PAGE, pageOfPosition, pageParam, pager, TOPICS_PER_PAGE } from "./paging.ts";
import { listTopics } from "./topics.service.ts";
import { forumDeps } from "./groups.service.ts";

const validateGroup = compileForm<GroupForm>(groupFormSchema);
const validateInvite = compileForm<{ username: string }>(inviteFormSchema);

/** What every page of a group shows in its header and tabs. */
export function groupHeader(ctx: AppContext, { group, access }: InGroup, tab: string) {
  return {
    group,
    access,
    tab,
    handle: groups.groupActor(ctx.config, group).handle,
  };
}

/** The members page of a group, for its moderators; the ban forms post to moderation routes. */
export async function renderMembersPage(
  ctx: AppContext,
  req: express.Request,
  res: express.Response,
  found: InGroup,
  errors?: FieldError[],
  values?: object,
): Promise<void> {
  const members = await groups.listMembers(ctx.db, found.group.id);
  renderForm(res, "forums/members", ctx.i18n, req, {
    title: req.t("forums:members.title", { group: found.group.name }),
    ...groupHeader(ctx, found, "members"),
    active: members.filter((m) => m.state === "active"),
    pending: members.filter((m) => m.state === "pending"),
    invited: members.filter((m) => m.state === "invited"),
    bans: await listActiveBans(ctx.db, found.group.id),
    banDays: [...BAN_DAYS.map(String), "forever"],
    values,
    errors,
  });
}

type Req = express.Request;
type Res = express.Response;

const options = {
  visibilities: VISIBILITIES,
  postPolicies: POST_POLICIES,
  joinPolicies: JOIN_POLICIES,
};

function groupFormPage(
  ctx: AppContext,
  req: Req,
  res: Res,
  found: InGroup | undefined,
  values: object,
  errors?: FieldError[],
) {
  renderForm(res, "forums/group-form", ctx.i18n, req, {
    title: req.t(found ? "forums:groupForm.editTitle" : "forums:groupForm.newTitle"),
    ...(found ? groupHeader(ctx, found, "settings") : {}),
    ...options,
    values,
    errors,
  });
}

/** The group of the path, for one of its moderators. */
const moderated = (ctx: AppContext, req: Req) =>
  moderatedGroup(ctx.db, req.user, { slug: String(req.params.slug) });

export function groupRoutes(router: express.Router, ctx: AppContext): void {
  const on = handlers(ctx);
  router.get("/groups", on(listGroups));
  router.get("/groups/new", requireUser, on(newGroupForm));
  router.post("/groups/new", requireUser, on(createGroup));
  router.get("/groups/:slug", on(showGroup));
  router.get("/groups/:slug/edit", requireUser, on(editForm));
  router.post("/groups/:slug/edit", requireUser, on(saveGroup));
  router.post("/groups/:slug/join", requireUser, on(join));
  router.post("/groups/:slug/leave", requireUser, on(leave));
  router.post("/groups/:slug/subscription", requireUser, on(subscription));
  router.get("/groups/:slug/members", requireUser, on(members));
  router.post("/groups/:slug/invite", requireUser, on(invite));
  router.post("/groups/:slug/requests/:userId", requireUser, on(decide));
  router.post("/groups/:slug/members/:userId/role", requireUser, on(setRole));
}

async function listGroups(ctx: AppContext, req: Req, res: Res) {
  const deps = forumDeps(ctx);
  const page = pageParam(req.query.page);
  const mine = req.query.mine === "1" && req.user !== undefined;
  const list = await groups.listGroups(ctx.db, req.user, {
    limit: GROUPS_PER_PAGE,
    offset: (page - 1) * GROUPS_PER_PAGE,
    mine,
  });
  const pictures = await picturesOf(
    ctx.db,
    list.items.map((g) => g.id),
  );
  res.render("forums/groups", {
    title: req.t("forums:groups.title"),
    groups: list.items.map((g) => ({
      ...g,
      handle: groups.groupActor(deps, g).handle,
      picture: pictures.has(g.id),
    })),
    invitations: req.user ? await groups.listInvitations(ctx.db, req.user.id) : [],
    pager: pager(list.total, page, GROUPS_PER_PAGE),
    pagerBase: mine ? "?mine=1&page=" : "?page=",
    mine,
    canCreate: groups.mayCreateGroups(req.user),
  });
}

function newGroupForm(ctx: AppContext, req: Req, res: Res) {
  if (!groups.mayCreateGroups(req.user)) throw new HttpError(403, "errors.forbidden");
  groupFormPage(ctx, req, res, undefined, {
    visibility: "public",
    postPolicy: "members",
    joinPolicy: "open",
  });
}

async function createGroup(ctx: AppContext, req: Req, res: Res) {
  const deps = forumDeps(ctx);
  const form = parseForm(validateGroup, req.body);
  if (!form.ok) return groupFormPage(ctx, req, res, undefined, req.body as object, form.errors);
  const created = await ctx.transaction((tx) =>
    groups.createGroup(tx, deps, req.user!, form.value),
  );
  if (!created.ok) {
    if (created.error === "forbidden") throw new HttpError(403, "errors.forbidden");
    return groupFormPage(ctx, req, res, undefined, req.body as object, [
      { field: "slug", key: `forums:errors.${created.error}` },
    ]);
  }
  flash(req, "forums:groupForm.created", { name: created.value.name });
  res.redirect(303, `/groups/${created.value.slug}`);
}

async function showGroup(ctx: AppContext, req: Req, res: Res) {
  const slug = String(req.params.slug);
  const group = await groups.findGroup(ctx.db, { slug });
  const access = group ? await groupAccess(ctx.db, group, req.user) : undefined;
  if (!group || !access) throw new HttpError(404, "errors.notFound");
  if (!access.canRead) {
    // A private group shows its name, and nothing else, to a signed-in member who was invited
    // or who may ask to join; to everyone else it does not exist.
    const invited = access.membership?.state === "invited";
    const pending = access.membership?.state === "pending";
    if (!req.user || (!invited && !pending && group.joinPolicy !== "approval"))
      throw new HttpError(404, "errors.notFound");
    return res.render("forums/restricted", { title: group.name, group, invited, pending });
  }
  const page = pageParam(req.query.page);
  const list = await listTopics(ctx.db, group.id, {
    limit: TOPICS_PER_PAGE,
    offset: (page - 1) * TOPICS_PER_PAGE,
    userId: access.isMember ? req.user?.id : undefined,
    withRemoved: false,
  });
  const canPost = mayPost(group, access, "topic");
  res.locals.groupPicture = (await picturesOf(ctx.db, [group.id])).has(group.id);
  res.render("forums/group", {
    title: group.name,
    ...groupHeader(ctx, { group, access }, "topics"),
    topics: list.items.map((t) => ({
      ...t,
      lastReadPage: pageOfPosition((t.lastReadPosition ?? 0) + 1),
    })),
    pager: pager(list.total, page, TOPICS_PER_PAGE),
    canPostTopic: canPost.ok,
    whyNotPost:
      canPost.ok || canPost.error === "sign_in"
        ? undefined
        : message(req, failure(canPost.error, {}, access)),
    subscribed: req.user
      ? await groups.isSubscribed(ctx.db, req.user.id, { groupId: group.id })
      : false,
    canJoin:
      req.user !== undefined &&
      !access.membership &&
      group.host === null &&
      group.joinPolicy !== "invitation",
  });
}

async function editForm(ctx: AppContext, req: Req, res: Res) {
  const found = await moderatedGroup(ctx.db, req.user, { slug: String(req.params.slug) });
  const g = found.group;
  res.locals.groupPicture = (await picturesOf(ctx.db, [g.id])).has(g.id);
  groupFormPage(ctx, req, res, found, {
    name: g.name,
    description: g.descriptionSource,
    rules: g.rulesSource,
    visibility: g.visibility,
    postPolicy: g.postPolicy,
    joinPolicy: g.joinPolicy,
  });
}

async function saveGroup(ctx: AppContext, req: Req, res: Res) {
  const deps = forumDeps(ctx);
  const found = await moderatedGroup(ctx.db, req.user, { slug: String(req.params.slug) });
  const form = parseForm(validateGroup, req.body);
  if (!form.ok) return groupFormPage(ctx, req, res, found, req.body as object, form.errors);
  await ctx.transaction((tx) => groups.updateGroup(tx, deps, found.group, form.value));
  flash(req, "forums:groupForm.saved");
  res.redirect(303, `/groups/${found.group.slug}`);
}

async function join(ctx: AppContext, req: Req, res: Res) {
  const deps = forumDeps(ctx);
  const group = await groups.findGroup(ctx.db, { slug: String(req.params.slug) });
  if (!group) throw new HttpError(404, "errors.notFound");
  const result = await ctx.transaction((tx) => groups.join(tx, deps, group, req.user!));
  if (!result.ok)
    throw new HttpError(failure(result.error).status, `forums:errors.${result.error}`);
  flash(req, `forums:membership.${result.value}`, { group: group.name });
  res.redirect(303, `/groups/${group.slug}`);
}

async function leave(ctx: AppContext, req: Req, res: Res) {
  const deps = forumDeps(ctx);
  const group = await groups.findGroup(ctx.db, { slug: String(req.params.slug) });
  if (!group) throw new HttpError(404, "errors.notFound");
  await ctx.transaction((tx) => groups.leave(tx, deps, group, req.user!));
  flash(req, "forums:membership.left", { group: group.name });
  res.redirect(303, group.visibility === "private" ? "/groups" : `/groups/${group.slug}`);
}

async function subscription(ctx: AppContext, req: Req, res: Res) {
  const { group } = await readableGroup(ctx.db, req.user, { slug: String(req.params.slug) });
  const on = (req.body as { on?: string }).on === "1";
  await groups.subscribe(ctx.db, req.user!.id, { groupId: group.id }, on);
  flash(req, on ? "forums:subscription.groupOn" : "forums:subscription.groupOff");
  res.redirect(303, `/groups/${group.slug}`);
}

async function members(ctx: AppContext, req: Req, res: Res) {
  await renderMembersPage(ctx, req, res, await moderated(ctx, req));
}

async function invite(ctx: AppContext, req: Req, res: Res) {
  const deps = forumDeps(ctx);
  const found = await moderated(ctx, req);
  const form = parseForm(validateInvite, req.body);
  if (!form.ok) return renderMembersPage(ctx, req, res, found, form.errors, req.body as object);
  const result = await ctx.transaction((tx) =>
    groups.invite(tx, deps, found.group, form.value.username),
  );
  if (!result.ok) {
    return renderMembersPage(
      ctx,
      req,
      res,
      found,
      [{ field: "username", key: `forums:errors.${result.error}` }],
      req.body as object,
    );
  }
  flash(req, "forums:members.invitedDone", { name: result.value.displayName });
  res.redirect(303, `/groups/${found.group.slug}/members`);
}

async function decide(ctx: AppContext, req: Req, res: Res) {
  const deps = forumDeps(ctx);
  const found = await moderated(ctx, req);
  const accept = (req.body as { decision?: string }).decision === "accept";
  const done = await ctx.transaction((tx) =>
    groups.decide(tx, deps, found.group, String(req.params.userId), accept),
  );
  if (!done) throw new HttpError(404, "errors.notFound");
  flash(req, accept ? "forums:members.accepted" : "forums:members.refused");
  res.redirect(303, `/groups/${found.group.slug}/members`);
}

async function setRole(ctx: AppContext, req: Req, res: Res) {
  const found = await moderated(ctx, req);
  const role = (req.body as { role?: string }).role === "moderator" ? "moderator" : "member";
  if (!(await groups.setRole(ctx.db, found.group, String(req.params.userId), role)))
    throw new HttpError(404, "errors.notFound");
  flash(req, "forums:members.roleChanged");
  res.redirect(303, `/groups/${found.group.slug}/members`);
}

// Pages of federation for people: local actor pages (the HTML side of actor URLs), the follows
// page, and the profile of a remote actor.
import type express from "express";
import type { AppContext } from "../../server/context.ts";
import { requireUser } from "../../server/http/auth.ts";
import { HttpError } from "../../server/http/errors.ts";
import { flash, parseForm, renderForm } from "../../server/http/forms.ts";
import { compileForm } from "../../server/http/validate.ts";
import type { FieldError } from "../../server/http/errors.ts";
import { findRemoteActor } from "../actors/remote.ts";
import { countFollows, findFollow } from "../follows/follows.repo.ts";
import { followTarget, unfollowById, visibleFollows } from "../follows/follows.service.ts";
import { readyMedia } from "../media/media.ts";
import { notesOf } from "../notes/notes.repo.ts";
import type { FederationRuntime } from "../deps.ts";
import { INSTANCE_ACTOR, handleOf, actorUri } from "../uris.ts";
import { followSchema, type FollowForm } from "./federation.schemas.ts";

const validateFollow = compileForm<FollowForm>(followSchema);

export function federationRoutes(
  router: express.Router,
  ctx: AppContext,
  runtime: FederationRuntime,
): void {
  const publicUrl = ctx.config.publicUrl;

  const actorPage = async (identifier: string, res: express.Response, req: express.Request) => {
    const actor = await runtime.actors.byIdentifier(identifier);
    // A member who is not listed has no public page (ADR 0087).
    if (!actor || actor.unlisted) throw new HttpError(404, "errors.notFound");
    // A forum group's page is the group itself.
    if (actor.type === "Group") return res.redirect(303, `/groups/${actor.identifier}`);
    const uri = actorUri(publicUrl, identifier);
    res.render("federation/actor", {
      title: actor.name,
      actor,
      typeLabel: req.t(`federation:actor.types.${actor.type}`),
      handle: handleOf(actor.username, uri),
      followers: await countFollows(ctx.db, identifier, "incoming"),
      following: await countFollows(ctx.db, identifier, "outgoing"),
    });
  };
  router.get("/actor", (req, res) => actorPage(INSTANCE_ACTOR, res, req));
  router.get("/users/:identifier", (req, res) =>
    actorPage(String(req.params.identifier), res, req),
  );

  const followsPage = async (
    req: express.Request,
    res: express.Response,
    values: object = {},
    errors: FieldError[] = [],
  ) => {
    const user = req.user!;
    renderForm(res, "federation/follows", ctx.i18n, req, {
      title: req.t("federation:follows.title"),
      discoverable: user.discoverable,
      follows: await visibleFollows(runtime, user.id),
      followers: await countFollows(ctx.db, user.id, "incoming"),
      values,
      errors,
    });
  };

  router.get("/follows", requireUser, (req, res) => followsPage(req, res));

  router.post("/follows", requireUser, async (req, res) => {
    const form = parseForm(validateFollow, req.body);
    if (!form.ok) return followsPage(req, res, req.body as object, form.errors);
    const result = await followTarget(runtime, req.user!.id, form.value.target);
    if (!result.ok) {
      return followsPage(req, res, form.value, [
        { field: "target", key: `federation:follows.errors.${result.error}` },
      ]);
    }
    flash(req, "federation:follows.followed", { handle: result.value.remote.handle });
    res.redirect(303, "/follows");
  });

  router.post("/follows/:id/delete", requireUser, async (req, res) => {
    const id = Number.parseInt(String(req.params.id), 10);
    const done = Number.isSafeInteger(id)
      ? await unfollowById(runtime, req.user!.id, id)
      : undefined;
    if (!done) throw new HttpError(404, "errors.notFound");
    flash(req, "federation:follows.unfollowed", { handle: done.remote.handle });
    res.redirect(303, "/follows");
  });

  router.get("/federation/actors/:id", requireUser, async (req, res) => {
    const id = Number.parseInt(String(req.params.id), 10);
    const remote = Number.isSafeInteger(id) ? await findRemoteActor(ctx.db, { id }) : undefined;
    // Instances that are not (or no longer) allowed: their content stays hidden.
    if (!remote || !(await runtime.policy.allows(remote.host)))
      throw new HttpError(404, "errors.notFound");
    const follow = await findFollow(ctx.db, {
      localActor: req.user!.id,
      remoteActorId: remote.id,
      direction: "outgoing",
    });
    res.render("federation/remote-actor", {
      title: remote.name,
      remote,
      // Our copies of its avatar and banner, once a job has made them (federation/media).
      avatar: await readyMedia(ctx, remote.iconUrl, "avatar"),
      banner: await readyMedia(ctx, remote.imageUrl, "banner"),
      typeLabel: req.t(`federation:actor.types.${remote.type}`, { defaultValue: remote.type }),
      follow,
      notes: await Promise.all(
        (await notesOf(ctx.db, remote.id)).map(async (note) => ({
          ...note,
          // A link card's picture, through our own copy once made (federation/media).
          picture: note.card ? await readyMedia(ctx, note.card.imageUrl, "picture") : null,
        })),
      ),
      form: { values: {}, errors: {}, errorList: [] },
    });
  });
}

// The editor, without JavaScript: the description form, the list of steps with a form per step
// (save, move up, move down, remove), images with their alt text, co-authors, publication.
import type express from "express";
import multer from "multer";
import type { AppContext } from "../context.ts";
import { MODERATOR_ROLES, requireUser, STAFF_ROLES } from "../http/auth.ts";
import { uploadRoute } from "../http/csrf.ts";
import { HttpError, type FieldError } from "../http/errors.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import * as repo from "./tutorials.repo.ts";
import * as service from "./tutorials.service.ts";
import { changeTutorial } from "./federate.ts";
import { addTutorialImage, deleteTutorialImage } from "./images.service.ts";
import {
  formToInput,
  stepToInput,
  tutorialToForm,
  validateStep,
  validateTutorial,
} from "./tutorials.forms.ts";
import { DIFFICULTIES, LICENCES, TUTORIAL_VISIBILITIES } from "./tutorials.tables.ts";
import { categoryOptions, pageView } from "./tutorials.view.ts";

type Req = express.Request;
type Res = express.Response;

const IMAGE_BYTES = 8 * 1024 * 1024;
const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: IMAGE_BYTES, files: 1, fields: 5 },
}).single("image");
const stepImageBody = uploadRoute("/tutorials/:id/steps/:stepId/images", upload);
const coverBody = uploadRoute("/tutorials/:id/cover", upload);

async function editable(ctx: AppContext, req: Req): Promise<repo.Tutorial> {
  const tutorial = await repo.findTutorial(ctx.db, String(req.params.id));
  if (!tutorial) throw new HttpError(404, "errors.notFound");
  if (!(await repo.mayEdit(ctx.db, tutorial, req.user)))
    throw new HttpError(403, "errors.forbidden");
  return tutorial;
}

async function choices(ctx: AppContext, req: Req) {
  return {
    categories: categoryOptions(await repo.listCategories(ctx.db), req.lang),
    difficulties: DIFFICULTIES.map((d) => ({
      value: d,
      label: req.t(`tutorials:difficulty.${d}`),
    })),
    licences: LICENCES.map((l) => ({ value: l, label: req.t(`tutorials:licence.${l}`) })),
    visibilities: TUTORIAL_VISIBILITIES.map((v) => ({
      value: v,
      label: req.t(`tutorials:visibility.${v}`),
    })),
  };
}

async function editorPage(
  ctx: AppContext,
  req: Req,
  res: Res,
  tutorial: repo.Tutorial | undefined,
  state: { values?: object; errors?: FieldError[]; status?: number } = {},
) {
  const [steps, images, coauthors] = tutorial
    ? await Promise.all([
        repo.listSteps(ctx.db, tutorial.id),
        repo.listImages(ctx.db, tutorial.id),
        repo.listCoauthors(ctx.db, tutorial.id),
      ])
    : [[], [], []];
  renderForm(
    res,
    tutorial ? "tutorials/editor" : "tutorials/new",
    ctx.i18n,
    req,
    {
      title: tutorial
        ? req.t("tutorials:editor.title", { title: tutorial.title })
        : req.t("tutorials:editor.new"),
      tutorial: tutorial && pageView(tutorial, steps, images, req.lang, req.t),
      coauthors,
      offerLink: tutorial?.offerId
        ? `${ctx.config.publicUrl.origin}/offers/${tutorial.offerId}`
        : "",
      isAuthor: tutorial?.authorId === req.user?.id || STAFF_ROLES.includes(req.user!.role),
      maxSteps: service.MAX_STEPS,
      ...(await choices(ctx, req)),
      values:
        state.values ??
        (tutorial
          ? tutorialToForm(tutorial)
          : { licence: "cc-by-sa-4.0", visibility: "public", difficulty: "facile" }),
      errors: state.errors,
    },
    state.status,
  );
}

const back = (res: Res, tutorialId: string, anchor = "") =>
  res.redirect(303, `/tutorials/${tutorialId}/edit${anchor}`);

export function editorRoutes(router: express.Router, ctx: AppContext): void {
  const localHost = ctx.config.publicUrl.host;

  router.get("/tutorials/new", requireUser, (req, res) => editorPage(ctx, req, res, undefined));

  router.post("/tutorials/new", requireUser, async (req, res) => {
    const form = parseForm(validateTutorial, req.body);
    if (!form.ok)
      return editorPage(ctx, req, res, undefined, {
        values: req.body as object,
        errors: form.errors,
      });
    const created = await ctx.transaction((tx) =>
      service.createTutorial(tx, req.user!, formToInput(form.value)),
    );
    if (!created.ok)
      return editorPage(ctx, req, res, undefined, {
        values: req.body as object,
        errors: [{ field: "category", key: "tutorials:errors.category" }],
      });
    flash(req, "tutorials:flash.created");
    back(res, created.value, "#steps");
  });

  router.get("/tutorials/:id/edit", requireUser, async (req, res) =>
    editorPage(ctx, req, res, await editable(ctx, req)),
  );

  router.post("/tutorials/:id/edit", requireUser, async (req, res) => {
    const tutorial = await editable(ctx, req);
    const form = parseForm(validateTutorial, req.body);
    if (!form.ok)
      return editorPage(ctx, req, res, tutorial, {
        values: req.body as object,
        errors: form.errors,
      });
    const saved = await changeTutorial(ctx, tutorial.id, (tx) =>
      service.updateTutorial(tx, tutorial.id, formToInput(form.value)),
    );
    if (!saved.ok)
      return editorPage(ctx, req, res, tutorial, {
        values: req.body as object,
        errors: [{ field: "category", key: "tutorials:errors.category" }],
      });
    flash(req, "tutorials:flash.saved");
    back(res, tutorial.id);
  });

  router.post("/tutorials/:id/publish", requireUser, async (req, res) => {
    const tutorial = await editable(ctx, req);
    if (tutorial.status === "removed" && !STAFF_ROLES.includes(req.user!.role))
      throw new HttpError(403, "errors.forbidden");
    const body = req.body as { action?: string };
    if (body.action === "unpublish") {
      await changeTutorial(ctx, tutorial.id, (tx) => service.unpublish(tx, tutorial.id));
      flash(req, "tutorials:flash.unpublished");
      return back(res, tutorial.id);
    }
    const done = await changeTutorial(ctx, tutorial.id, (tx) => service.publish(tx, tutorial.id));
    if (!done.ok)
      return editorPage(ctx, req, res, tutorial, {
        errors: [{ field: "step-title", key: "tutorials:errors.noSteps" }],
      });
    flash(req, "tutorials:flash.published");
    res.redirect(303, `/tutorials/${tutorial.id}`);
  });

  router.post("/tutorials/:id/steps", requireUser, async (req, res) => {
    const tutorial = await editable(ctx, req);
    // The add form's fields are named step-*, beside the description's fields on the same page.
    const values = req.body as Record<string, unknown>;
    const unprefixed = Object.fromEntries(
      Object.entries(values)
        .filter(([k]) => k.startsWith("step-"))
        .map(([k, v]) => [k.slice(5), v]),
    );
    const form = parseForm(validateStep, unprefixed);
    const prefixed = (errors: FieldError[]) =>
      errors.map((e) => ({ ...e, field: `step-${e.field}` }));
    if (!form.ok)
      return editorPage(ctx, req, res, tutorial, {
        values: { ...tutorialToForm(tutorial), ...values },
        errors: prefixed(form.errors),
      });
    const added = await changeTutorial(ctx, tutorial.id, (tx) =>
      service.addStep(tx, localHost, tutorial.id, stepToInput(form.value)),
    );
    if (!added.ok)
      return editorPage(ctx, req, res, tutorial, {
        values: { ...tutorialToForm(tutorial), ...values },
        errors: [{ field: "step-title", key: "tutorials:errors.tooManySteps" }],
      });
    flash(req, "tutorials:flash.stepAdded");
    back(res, tutorial.id, "#steps");
  });

  const stepPage = async (
    req: Req,
    res: Res,
    tutorial: repo.Tutorial,
    state: { values?: object; errors?: FieldError[] } = {},
  ) => {
    const steps = await repo.listSteps(ctx.db, tutorial.id);
    const step = steps.find((s) => s.id === String(req.params.stepId));
    if (!step) throw new HttpError(404, "errors.notFound");
    const images = (await repo.listImages(ctx.db, tutorial.id)).filter((i) => i.stepId === step.id);
    renderForm(res, "tutorials/step", ctx.i18n, req, {
      title: req.t("tutorials:step.editTitle", { position: step.position, title: step.title }),
      tutorial: { id: tutorial.id, title: tutorial.title },
      step,
      images,
      full: images.length >= service.MAX_STEP_IMAGES,
      values: state.values ?? { title: step.title, text: step.source, video: step.videoUrl ?? "" },
      errors: state.errors,
    });
  };

  router.get("/tutorials/:id/steps/:stepId/edit", requireUser, async (req, res) =>
    stepPage(req, res, await editable(ctx, req)),
  );

  router.post("/tutorials/:id/steps/:stepId/edit", requireUser, async (req, res) => {
    const tutorial = await editable(ctx, req);
    const form = parseForm(validateStep, req.body);
    if (!form.ok)
      return stepPage(req, res, tutorial, { values: req.body as object, errors: form.errors });
    const done = await changeTutorial(ctx, tutorial.id, (tx) =>
      service.editStep(
        tx,
        localHost,
        tutorial.id,
        String(req.params.stepId),
        stepToInput(form.value),
      ),
    );
    if (!done.ok) throw new HttpError(404, "errors.notFound");
    flash(req, "tutorials:flash.stepSaved");
    back(res, tutorial.id, "#steps");
  });

  router.post("/tutorials/:id/steps/:stepId/move", requireUser, async (req, res) => {
    const tutorial = await editable(ctx, req);
    const direction = (req.body as { direction?: string }).direction;
    if (direction !== "up" && direction !== "down") throw new HttpError(400, "errors.invalid");
    const done = await changeTutorial(ctx, tutorial.id, (tx) =>
      service.moveStep(tx, tutorial.id, String(req.params.stepId), direction),
    );
    if (!done.ok && done.error === "not_found") throw new HttpError(404, "errors.notFound");
    back(res, tutorial.id, "#steps");
  });

  router.post("/tutorials/:id/steps/:stepId/delete", requireUser, async (req, res) => {
    const tutorial = await editable(ctx, req);
    const done = await changeTutorial(ctx, tutorial.id, (tx) =>
      service.deleteStep(tx, tutorial.id, String(req.params.stepId)),
    );
    if (!done.ok) throw new HttpError(404, "errors.notFound");
    flash(req, "tutorials:flash.stepRemoved");
    back(res, tutorial.id, "#steps");
  });

  const imageUpload = async (req: Req, res: Res, stepId: string | null) => {
    const tutorial = await editable(ctx, req);
    const alt = String((req.body as { alt?: string }).alt ?? "");
    const result = req.file
      ? await addTutorialImage(ctx.db, {
          tutorialId: tutorial.id,
          stepId,
          data: req.file.buffer,
          alt,
        })
      : ({ ok: false, error: "type" } as const);
    if (!result.ok) {
      if (result.error === "not_found") throw new HttpError(404, "errors.notFound");
      const errors = [
        {
          field: result.error === "alt" ? "alt" : "image",
          key: `tutorials:errors.image.${result.error}`,
        },
      ];
      if (stepId) return stepPage(req, res, tutorial, { values: req.body as object, errors });
      return editorPage(ctx, req, res, tutorial, {
        errors: errors.map((e) => ({ ...e, field: `cover-${e.field}` })),
      });
    }
    // The image pipeline has its own transaction; a published tutorial's Update follows it.
    await changeTutorial(ctx, tutorial.id, () => Promise.resolve(undefined));
    flash(req, "tutorials:flash.imageAdded");
    if (stepId) res.redirect(303, `/tutorials/${tutorial.id}/steps/${stepId}/edit`);
    else back(res, tutorial.id);
  };

  router.post("/tutorials/:id/steps/:stepId/images", requireUser, ...stepImageBody, (req, res) =>
    imageUpload(req, res, String(req.params.stepId)),
  );
  router.post("/tutorials/:id/cover", requireUser, ...coverBody, (req, res) =>
    imageUpload(req, res, null),
  );

  router.post("/tutorials/:id/images/:imageId/delete", requireUser, async (req, res) => {
    const tutorial = await editable(ctx, req);
    if (!(await deleteTutorialImage(ctx.db, tutorial.id, String(req.params.imageId))))
      throw new HttpError(404, "errors.notFound");
    await changeTutorial(ctx, tutorial.id, () => Promise.resolve(undefined));
    flash(req, "tutorials:flash.imageRemoved");
    const next = (req.body as { next?: string }).next;
    res.redirect(
      303,
      typeof next === "string" && next.startsWith(`/tutorials/${tutorial.id}/`)
        ? next
        : `/tutorials/${tutorial.id}/edit`,
    );
  });

  router.post("/tutorials/:id/coauthors", requireUser, async (req, res) => {
    const tutorial = await editable(ctx, req);
    const username = String((req.body as { username?: string }).username ?? "");
    const done = await ctx.transaction((tx) =>
      service.addCoauthor(tx, ctx.config.publicUrl, tutorial, username),
    );
    if (!done.ok)
      return editorPage(ctx, req, res, tutorial, {
        values: { ...tutorialToForm(tutorial), username },
        errors: [{ field: "username", key: `tutorials:errors.${done.error}` }],
      });
    flash(req, "tutorials:flash.coauthorAdded");
    back(res, tutorial.id, "#coauthors");
  });

  router.post("/tutorials/:id/coauthors/:userId/delete", requireUser, async (req, res) => {
    const tutorial = await editable(ctx, req);
    await ctx.transaction((tx) =>
      service.removeCoauthor(tx, tutorial.id, String(req.params.userId)),
    );
    back(res, tutorial.id, "#coauthors");
  });

  // Staff and moderators take a tutorial down with a reason its authors are told.
  router.post("/tutorials/:id/remove", requireUser, async (req, res) => {
    const role = req.user!.role;
    if (!STAFF_ROLES.includes(role) && !MODERATOR_ROLES.includes(role))
      throw new HttpError(403, "errors.forbidden");
    const tutorial = await repo.findTutorial(ctx.db, String(req.params.id));
    if (!tutorial) throw new HttpError(404, "errors.notFound");
    const reason = String((req.body as { reason?: string }).reason ?? "");
    const done = await changeTutorial(ctx, tutorial.id, (tx) =>
      service.removeTutorial(tx, ctx.config.publicUrl, { tutorialId: tutorial.id, reason }),
    );
    if (!done.ok) {
      if (done.error === "not_found") throw new HttpError(404, "errors.notFound");
      throw new HttpError(422, "tutorials:errors.reasonRequired");
    }
    flash(req, "tutorials:flash.removed");
    res.redirect(303, `/tutorials/${tutorial.id}`);
  });
}

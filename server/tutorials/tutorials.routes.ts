// Reading the library: its home (newest, most made, most useful, by category, search), a
// tutorial's page, its printable booklet, an author's page and the images.
import { sendImage } from "../http/images.ts";
import type express from "express";
import type { AppContext } from "../context.ts";
import { findUserByUsername } from "../accounts/accounts.repo.ts";
import { HttpError } from "../http/errors.ts";
import { DEFAULT_TIMEZONE } from "../offers/offers.schemas.ts";
import * as repo from "./tutorials.repo.ts";
import {
  IMAGE_SIZES,
  readSentMadePhoto,
  readTutorialVariant,
  type ImageSize,
} from "./images.service.ts";
import { countView } from "./tutorials.service.ts";
import { listFavourites, listMade, readerState } from "./around.service.ts";
import { requireUser } from "../http/auth.ts";
import { commentAccess, listComments } from "./comments.service.ts";
import { findOffer } from "../offers/offers.repo.ts";
import { DIFFICULTIES } from "./tutorials.tables.ts";
import { isSearching, readSearch, searchChoices, searchFilter, searchParams } from "./search.ts";
import { cardView, categoryLabel, categoryOptions, pageView } from "./tutorials.view.ts";
import { readSentAlbumPhoto } from "./albums.service.ts";
import { remoteView } from "./remote.view.ts";

const PAGE_SIZE = 20;

/** A tutorial the viewer may read, or the 404 page (a hidden one says nothing of itself). */
export async function readableTutorial(ctx: AppContext, req: express.Request) {
  const tutorial = await repo.findTutorial(ctx.db, String(req.params.id));
  if (!tutorial || !(await repo.mayRead(ctx.db, tutorial, req.user)))
    throw new HttpError(404, "errors.notFound");
  return tutorial;
}

/**
 * The tutorial whose image is asked for: one the viewer may read, or a published `network` one
 * of ours asked for by an allowed instance's signed fetch (its copy job), the same rule as the
 * Article itself (ADR 0126).
 */
async function imageTutorial(ctx: AppContext, req: express.Request) {
  const tutorial = await repo.findTutorial(ctx.db, String(req.params.id));
  if (!tutorial) throw new HttpError(404, "errors.notFound");
  if (await repo.mayRead(ctx.db, tutorial, req.user)) return tutorial;
  const network =
    tutorial.status === "published" && tutorial.visibility === "network" && !tutorial.remoteUri;
  const port = ctx.ports.tutorials;
  if (network && req.headers.signature && port) {
    const signer = await port.allowedSigner({ url: req.originalUrl, headers: req.headers });
    if (signer) return tutorial;
  }
  throw new HttpError(404, "errors.notFound");
}

async function fullView(ctx: AppContext, req: express.Request, tutorial: repo.Tutorial) {
  const [steps, images, coauthors, remote] = await Promise.all([
    repo.listSteps(ctx.db, tutorial.id),
    repo.listImages(ctx.db, tutorial.id),
    repo.listCoauthors(ctx.db, tutorial.id),
    tutorial.remoteUri ? repo.findRemoteDetails(ctx.db, tutorial.id) : undefined,
  ]);
  return {
    ...pageView(tutorial, steps, images, req.lang, req.t),
    coauthors,
    remote: remote && remoteView(tutorial, remote, req.t),
  };
}

export function tutorialRoutes(router: express.Router, ctx: AppContext): void {
  router.get("/tutorials", async (req, res) => {
    const search = readSearch(req.query);
    const page = Math.max(
      1,
      Math.min(1000, Number.parseInt(String(req.query.page ?? "1"), 10) || 1),
    );
    const [categories, territories] = await Promise.all([
      repo.listCategories(ctx.db),
      repo.listTerritories(ctx.db),
    ]);
    const current = categories.find((c) => c.slug === search.category);
    if (search.category && !current) throw new HttpError(404, "errors.notFound");
    const card = (t: repo.Tutorial) => cardView(t, req.lang, req.t);
    const searching = isSearching(search, current !== undefined);
    const instanceName = String(
      (res.locals.instance as { name?: string } | undefined)?.name ?? ctx.config.instanceName,
    );
    const locals: Record<string, unknown> = {
      title: current ? categoryLabel(current, req.lang) : req.t("tutorials:home.title"),
      categories: categoryOptions(categories, req.lang),
      query: { q: search.q, category: search.category, difficulty: search.difficulty },
      difficulties: DIFFICULTIES.map((d) => ({
        value: d,
        label: req.t(`tutorials:difficulty.${d}`),
      })),
      ...searchChoices(search, territories, instanceName, req.t),
      // The filters wait behind "Plus de filtres" on a phone, open when one is in use.
      moreFilters: Boolean(
        search.category || search.difficulty || search.territory || search.duration || search.cost,
      ),
      searching,
      headLinks: [
        {
          rel: "alternate",
          type: "application/atom+xml",
          href: current
            ? `/tutorials/feeds/category/${current.slug}.atom`
            : "/tutorials/feeds/all.atom",
          title: req.t("tutorials:feeds.title"),
        },
      ],
    };
    if (searching) {
      const { items, total } = await repo.listTutorials(ctx.db, req.user, {
        ...searchFilter(search),
        category: current?.slug,
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
      });
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const base = searchParams(search);
      Object.assign(locals, {
        results: items.map(card),
        total,
        page,
        previous: page > 1 ? `/tutorials?${base.toString()}&page=${page - 1}` : undefined,
        next: page < pages ? `/tutorials?${base.toString()}&page=${page + 1}` : undefined,
      });
    } else {
      const [newest, made, useful] = await Promise.all(
        (["newest", "made", "useful"] as const).map((order) =>
          repo.listTutorials(ctx.db, req.user, { order, limit: 6 }),
        ),
      );
      Object.assign(locals, {
        newest: newest!.items.map(card),
        made: made!.items.filter((t) => t.madeCount > 0).map(card),
        useful: useful!.items.filter((t) => t.usefulCount > 0).map(card),
      });
    }
    res.render("tutorials/home", locals);
  });

  router.get("/tutorials/favourites", requireUser, async (req, res) => {
    const ids = await listFavourites(ctx.db, req.user!.id);
    const { items } = await repo.listTutorials(ctx.db, req.user, { ids, limit: 100 });
    res.render("tutorials/favourites", {
      title: req.t("tutorials:reader.favourites"),
      tutorials: items.map((t) => cardView(t, req.lang, req.t)),
    });
  });

  router.get("/tutorials/authors/:username", async (req, res) => {
    const author = await findUserByUsername(ctx.db, String(req.params.username).toLowerCase());
    if (!author) throw new HttpError(404, "errors.notFound");
    const own = req.user?.id === author.id;
    const list = own
      ? await repo.listOwn(ctx.db, author.id)
      : (await repo.listTutorials(ctx.db, req.user, { authorId: author.id, limit: 100 })).items;
    res.render("tutorials/author", {
      title: req.t("tutorials:author.title", { name: author.displayName }),
      author: { name: author.displayName, username: author.username },
      own,
      tutorials: list.map((t) => cardView(t, req.lang, req.t)),
      headLinks: [
        {
          rel: "alternate",
          type: "application/atom+xml",
          href: `/tutorials/feeds/author/${author.username}.atom`,
          title: req.t("tutorials:feeds.author", { name: author.displayName }),
        },
      ],
    });
  });

  router.get("/tutorials/:id", async (req, res) => {
    const tutorial = await readableTutorial(ctx, req);
    const mayEdit = await repo.mayEdit(ctx.db, tutorial, req.user);
    if (tutorial.status === "published" && !mayEdit) await countView(ctx.db, tutorial.id);
    const view = await fullView(ctx, req, tutorial);
    const sameAuthor = tutorial.authorId
      ? (
          await repo.listTutorials(ctx.db, req.user, { authorId: tutorial.authorId, limit: 5 })
        ).items.filter((t) => t.id !== tutorial.id)
      : [];
    const slots = await ctx.modules.fill("tutorials.tutorial", req, { tutorial, mayEdit });
    const [state, comments, forum, made, offer] = await Promise.all([
      readerState(ctx.db, tutorial.id, req.user?.id),
      listComments(ctx.db, tutorial.id, req.user),
      commentAccess(ctx.db, req.user),
      listMade(ctx.db, tutorial.id),
      tutorial.offerId ? findOffer(ctx.db, tutorial.offerId) : undefined,
    ]);
    const access = forum?.access;
    const staff = repo.isStaff(req.user) || req.user?.role === "moderator";
    res.render("tutorials/tutorial", {
      title: tutorial.title,
      tutorial: view,
      mayEdit,
      state,
      own: req.user !== undefined && req.user.id === tutorial.authorId,
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
      made: made.map((m) => ({ ...m, mine: m.authorId === req.user?.id })),
      offer: offer && offer.status !== "draft" ? { id: offer.id, title: offer.title } : undefined,
      staff,
      sameAuthor: sameAuthor.slice(0, 4).map((t) => cardView(t, req.lang, req.t)),
      slots,
      tz: DEFAULT_TIMEZONE,
    });
  });

  // A booklet to print: every step with its images, no navigation, its own stylesheet.
  router.get("/tutorials/:id/print", async (req, res) => {
    const tutorial = await readableTutorial(ctx, req);
    res.render("tutorials/print", {
      layout: false,
      title: tutorial.title,
      tutorial: await fullView(ctx, req, tutorial),
      tz: DEFAULT_TIMEZONE,
    });
  });

  // Served as their variants only, to whoever may read the tutorial; shared caches keep those
  // of public, published tutorials.
  router.get("/tutorials/:id/images/:imageId{/:size}", async (req, res) => {
    const size = (req.params.size ?? "page") as ImageSize;
    if (!IMAGE_SIZES.includes(size)) throw new HttpError(404, "errors.notFound");
    const tutorial = await imageTutorial(ctx, req);
    const image = await readTutorialVariant(ctx.db, tutorial.id, String(req.params.imageId), size);
    if (!image) throw new HttpError(404, "errors.notFound");
    const cacheable = tutorial.status === "published" && tutorial.visibility === "public";
    sendImage(res, image, cacheable ? "public, max-age=86400" : "private, max-age=3600");
  });
}

/**
 * Mounted before the session: the photo of a made-it post sent to a remote tutorial's instance,
 * and one added to the album of a remote offer, sent to the offer's instance.
 */
export function sentPhotoRoute(router: express.Router, ctx: AppContext): void {
  router.get("/offers/album/:photoId/photo", async (req, res) => {
    const image = await readSentAlbumPhoto(ctx.db, String(req.params.photoId));
    if (!image) throw new HttpError(404, "errors.notFound");
    sendImage(res, image, "public, max-age=86400");
  });
  router.get("/tutorials/made/:madeId/photo", async (req, res) => {
    const image = await readSentMadePhoto(ctx.db, String(req.params.madeId));
    if (!image) throw new HttpError(404, "errors.notFound");
    sendImage(res, image, "public, max-age=86400");
  });
}

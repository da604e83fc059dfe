// A member proposes a project to a network budget from their own instance (ADR 0138): the form
// (as the local one: title, description, estimated cost; plus the name they agree to show to the
// organiser) while the organiser's proposals phase is open, and the member's proposals there with
// the organiser's decision (accepted, or rejected with its public reason).
import type express from "express";
import type { User } from "../accounts/accounts.repo.ts";
import type { AppContext } from "../context.ts";
import type { Db } from "../db/database.ts";
import { requireUser } from "../http/auth.ts";
import { HttpError, type FieldError } from "../http/errors.ts";
import { flash, renderForm } from "../http/forms.ts";
import { DEFAULT_TIMEZONE } from "../offers/offers.schemas.ts";
import * as proposals from "./network-proposals.service.ts";
import * as remote from "./remote.service.ts";

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** What the network budget's page needs to offer "Proposer un projet". */
export async function proposalLocals(db: Db, rb: remote.RemoteBudget, user: User | undefined) {
  const phase = await proposals.phaseOfRemote(db, rb);
  const mine = user ? await proposals.myProposals(db, rb.id, user.id) : [];
  return { proposing: proposals.proposalsOpen(phase), proposed: mine.length };
}

export function budgetProposalRoutes(router: express.Router, ctx: AppContext): void {
  const found = async (req: express.Request) => {
    const rb = await remote.findRemote(ctx.db, String(req.params.id));
    if (!rb) throw new HttpError(404, "errors.notFound");
    return rb;
  };

  const page = async (
    req: express.Request,
    res: express.Response,
    rb: remote.RemoteBudget,
    values: object = {},
    errors: FieldError[] = [],
  ) => {
    const phase = await proposals.phaseOfRemote(ctx.db, rb);
    const mine = await proposals.myProposals(ctx.db, rb.id, req.user!.id);
    renderForm(res, "budget-proposals/propose", ctx.i18n, req, {
      title: req.t("budget-proposals:title", { title: rb.title }),
      rb,
      phase,
      open: proposals.proposalsOpen(phase),
      mine: mine.map((p) => ({
        ...p,
        statusLabel: req.t(`budget-proposals:statuses.${p.status}`),
        reasonText:
          p.status === "refused" && p.reason
            ? req.t(`budget-proposals:refusals.${p.reason}`, { defaultValue: p.reason })
            : p.reason,
      })),
      tz: DEFAULT_TIMEZONE,
      values: { shownName: req.user!.displayName, ...values },
      errors,
    });
  };

  router.get("/budgets/reseau/:id/proposer", requireUser, async (req, res) => {
    await page(req, res, await found(req));
  });

  router.post("/budgets/reseau/:id/proposer", requireUser, async (req, res) => {
    const rb = await found(req);
    const body = req.body as Record<string, unknown>;
    const values = {
      title: str(body.title),
      description: str(body.description),
      cost: str(body.cost),
      shownName: str(body.shownName),
      consent: body.consent !== undefined,
    };
    const cost = values.cost.replace(/\s/g, "");
    const done = await ctx.transaction((tx) =>
      proposals.proposeRemote(
        tx,
        rb,
        req.user!,
        { ...values, cost: /^\d{1,12}$/.test(cost) ? Number(cost) : NaN },
        ctx.ports.budgetProposals,
      ),
    );
    if (!done.ok) {
      if (done.error === "not_open")
        throw new HttpError(409, "budget-proposals:errors.not_open", {
          detail: req.t("budget-proposals:errors.not_open"),
        });
      if (done.error === "no_federation")
        throw new HttpError(503, "budgets:network.errors.no_federation");
      return page(req, res, rb, values, done.details!.problems as FieldError[]);
    }
    flash(req, "budget-proposals:sent");
    res.redirect(303, `/budgets/reseau/${rb.id}/proposer`);
  });
}

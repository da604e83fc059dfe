// Route registrars list routes; the work of each route is a named handler at the top level of
// its file that takes the application context first. `handlers(ctx)` turns such a handler into
// what Express (or the API registry) calls.
import type express from "express";

export type Handler<C, R extends express.Request = express.Request> = (
  ctx: C,
  req: R,
  res: express.Response,
) => unknown;

export function handlers<C>(ctx: C) {
  return <R extends express.Request>(handler: Handler<C, R>) =>
    (req: R, res: express.Response) =>
      handler(ctx, req, res);
}

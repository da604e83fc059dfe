// A member's public page (issue 17 item 5): name, picture and bio, for members who chose
// "make my profile visible to other CMCAS" (`discoverable`, ADR 0087) only. Anyone else's page
// does not exist (404, the same answer as an unknown name), so nobody learns from it who is a
// member. It shows nothing a member did not put on their profile themselves: never the e-mail
// address, the SLVie, the family, the bookings or the role.
import type express from "express";
import type { AppContext } from "../context.ts";
import { HttpError } from "../http/errors.ts";
import { handlers } from "../http/handlers.ts";
import { avatarsOf, readBio } from "./avatar.ts";

const USERNAME = /^[a-z0-9_]{1,30}$/;

export function publicProfileRoutes(router: express.Router, ctx: AppContext): void {
  const on = handlers(ctx);
  router.get(
    "/members/:username",
    on(async (_ctx, req, res) => {
      const username = String(req.params.username).toLowerCase();
      if (!USERNAME.test(username)) throw new HttpError(404, "errors.notFound");
      const member = await ctx.db
        .selectFrom("users")
        .select(["id", "username", "display_name", "created_at"])
        .where("username", "=", username)
        .where("discoverable", "=", true)
        .where("email_confirmed_at", "is not", null)
        .executeTakeFirst();
      if (!member) throw new HttpError(404, "errors.notFound");
      res.render("members/public", {
        title: member.display_name,
        member: {
          id: member.id,
          displayName: member.display_name,
          handle: `@${member.username}@${ctx.config.publicUrl.host}`,
          hasAvatar: (await avatarsOf(ctx.db, [member.id])).has(member.id),
          bio: await readBio(ctx.db, member.id),
          since: new Intl.DateTimeFormat(req.lang === "en" ? "en-GB" : "fr-FR", {
            month: "long",
            year: "numeric",
            timeZone: ctx.config.timezone,
          }).format(member.created_at),
        },
        own: req.user?.id === member.id,
      });
    }),
  );
}

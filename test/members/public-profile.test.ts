// A member's public page (issue 17 item 5): name, picture and bio, only for a member who chose to
// make their profile visible to other CMCAS; anyone else's page is the same 404 as an unknown
// name, and the page never shows the e-mail address, the family or the bookings.
import assert from "node:assert/strict";
import sharp from "sharp";
import supertest from "supertest";
import { prepareAvatar, saveAvatar, saveBio } from "../../server/members/avatar.ts";
import { createMember, loggedIn } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { submit, unescapeHtml } from "../support/web.ts";
import { MODE } from "../support/env.ts";

describe(`members: the public page (${MODE})`, function () {
  this.timeout(120_000);
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  it("shows name, picture and bio of a member who made their profile visible, and nobody else's", async () => {
    const member = await createMember(instance, "member", "visible");
    const photo = await sharp({
      create: { width: 300, height: 300, channels: 3, background: { r: 20, g: 90, b: 160 } },
    })
      .png()
      .toBuffer();
    const variants = await prepareAvatar(photo);
    assert.ok(variants.ok);
    await saveAvatar(instance.ctx.db, member.user.id, variants.value);
    await saveBio(instance.ctx.db, member.user.id, "Chorale <le mardi> & randonnées.");
    await instance.ctx.db
      .insertInto("family_members")
      .values({
        user_id: member.user.id,
        first_name: "Zéphyrine",
        relation: "child",
        birth_year: 2015,
      })
      .execute();
    const anonymous = supertest(instance.url);
    const path = `/members/${member.username}`;

    // Not visible yet: the same answer as a name nobody has.
    const hidden = await anonymous.get(path);
    assert.equal(hidden.status, 404);
    const unknown = await anonymous.get("/members/personne_de_ce_nom");
    assert.equal(unknown.status, 404);

    // The member makes their profile visible through the profile form.
    const agent = await loggedIn(instance, member);
    const saved = await submit(agent, "/me", "/me", {
      displayName: member.displayName,
      username: member.username,
      language: "fr",
      discoverable: "on",
    });
    assert.equal(saved.status, 303, saved.text.slice(0, 2000));
    assert.match((await agent.get("/me")).text, new RegExp(`href="${path}"`));

    const page = await anonymous.get(path);
    assert.equal(page.status, 200);
    const text = unescapeHtml(page.text);
    assert.match(text, new RegExp(`<h1>${member.displayName}</h1>`));
    assert.match(text, /Chorale <le mardi> & randonnées\./);
    assert.match(page.text, /Chorale &lt;le mardi&gt;/, "the bio is escaped");
    assert.match(page.text, new RegExp(`src="/members/${member.user.id}/avatar/large"`));
    assert.match(text, new RegExp(`@${member.username}@127\\.0\\.0\\.1:${instance.port}`));
    assert.doesNotMatch(text, new RegExp(member.email));
    assert.doesNotMatch(text, /Zéphyrine/);
    // Case does not matter in the address.
    assert.equal(
      (await anonymous.get(path.toUpperCase().replace("/MEMBERS/", "/members/"))).status,
      200,
    );

    // Hidden again: gone again.
    await instance.ctx.db
      .updateTable("users")
      .set({ discoverable: false })
      .where("id", "=", member.user.id)
      .execute();
    assert.equal((await anonymous.get(path)).status, 404);
  });
});

// Offer images: read by their bytes, stripped of their metadata, kept in sized variants, and
// shown only to whoever may see the offer (ADR 0086).
import assert from "node:assert/strict";
import sharp from "sharp";
import supertest from "supertest";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { csrfFrom, type Agent } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { makeOffer } from "./support.ts";

/** A phone-like photo: JPEG, 3000×2000, with its GPS position and camera in EXIF. */
async function phonePhoto(): Promise<Buffer> {
  return sharp({
    create: { width: 3000, height: 2000, channels: 3, background: { r: 40, g: 120, b: 200 } },
  })
    .jpeg()
    .withExif({
      IFD0: { Make: "PhoneMaker", Model: "Secret Model 12" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "45/1 10/1 30/1" },
    })
    .toBuffer();
}

/** Reads the bytes served as an image: its format, size and whether it carries EXIF. */
const inspect = (data: Buffer) => sharp(data).metadata();

describe(`offers: images (${MODE})`, () => {
  let instance: TestInstance;
  let staff: Member;
  let staffAgent: Agent;

  before(async () => {
    instance = await startTestInstance();
    staff = await createMember(instance, "staff");
    staffAgent = await loggedIn(instance, staff);
  });
  after(() => instance.destroy());

  const upload = async (offerId: string, data: Buffer, as: { filename: string; type: string }) => {
    const page = await staffAgent.get(`/staff/offers/${offerId}/edit`);
    assert.equal(page.status, 200);
    return staffAgent
      .post(`/staff/offers/${offerId}/images`)
      .field("_csrf", csrfFrom(page.text))
      .field("alt", "Le lac au petit matin")
      .attach("image", data, { filename: as.filename, contentType: as.type });
  };
  const imagesOf = (offerId: string) =>
    instance.ctx.db
      .selectFrom("offer_images")
      .select(["id", "content_type"])
      .where("offer_id", "=", offerId)
      .execute();
  const bytes = (res: supertest.Response) => res.body as Buffer;
  const get = (agent: Agent | ReturnType<typeof supertest>, path: string) =>
    agent
      .get(path)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => done(null, Buffer.concat(chunks)));
      });

  it("reads the type from the bytes, strips the GPS position and keeps card, page and federation sizes", async () => {
    const photo = await phonePhoto();
    assert.ok((await inspect(photo)).exif, "the test photo carries EXIF");
    const offer = await makeOffer(instance, staff.user.id);
    // The browser calls it a PNG: what counts is what the bytes are.
    const sent = await upload(offer.id, photo, { filename: "lac.png", type: "image/png" });
    assert.equal(sent.status, 303, sent.text);
    const [image] = await imagesOf(offer.id);
    assert.equal(image!.content_type, "image/jpeg");
    const stored = await instance.ctx.db
      .selectFrom("offer_images")
      .select("data")
      .where("id", "=", image!.id)
      .executeTakeFirstOrThrow();
    assert.equal((await inspect(Buffer.from(stored.data))).exif, undefined);

    const expected = { card: [480, 320], page: [1280, 854], federation: [1200, 800] } as const;
    for (const [size, [width, height]] of Object.entries(expected)) {
      const path = `/offers/${offer.id}/images/${image!.id}${size === "page" ? "" : `/${size}`}`;
      const res = await get(supertest(instance.url), path);
      assert.equal(res.status, 200, `${size}: ${res.status}`);
      const meta = await inspect(bytes(res));
      assert.equal(meta.exif, undefined, `${size} carries EXIF`);
      assert.deepEqual([meta.width, meta.height], [width, height], size);
      assert.equal(res.type, size === "federation" ? "image/jpeg" : "image/webp");
      assert.equal(meta.format, size === "federation" ? "jpeg" : "webp");
      assert.match(String(res.headers["cache-control"]), /^public/);
    }
    const page = await get(supertest(instance.url), `/offers/${offer.id}/images/${image!.id}`);
    assert.ok(!bytes(page).includes(Buffer.from("Secret Model 12")));
    // Other instances get the federation size as the Event's image.
    const event = await supertest(instance.url)
      .get(`/offers/${offer.id}`)
      .set("accept", "application/activity+json");
    assert.equal(event.status, 200);
    const served = JSON.parse(event.text) as { image?: { url?: string; mediaType?: string } };
    assert.equal(
      served.image?.url,
      `${instance.url}/offers/${offer.id}/images/${image!.id}/federation`,
    );
    assert.equal(served.image?.mediaType, "image/jpeg");
    // The offer's page gives the page size's dimensions, so nothing moves when it arrives.
    const html = await supertest(instance.url)
      .get(`/offers/${offer.id}`)
      .set("accept", "text/html");
    assert.match(
      html.text,
      new RegExp(
        `<img src="/offers/${offer.id}/images/${image!.id}" alt="Le lac au petit matin" width="1280" height="854">`,
      ),
    );
  });

  it("gives an image stored before variants existed its sizes, and strips its metadata, when first shown", async () => {
    const offer = await makeOffer(instance, staff.user.id);
    const old = await instance.ctx.db
      .insertInto("offer_images")
      .values({
        offer_id: offer.id,
        data: await phonePhoto(),
        content_type: "image/png",
        alt: "Ancienne",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const res = await get(supertest(instance.url), `/offers/${offer.id}/images/${old.id}/card`);
    assert.equal(res.status, 200);
    assert.equal((await inspect(bytes(res))).exif, undefined);
    const row = await instance.ctx.db
      .selectFrom("offer_images")
      .select(["data", "content_type", "processed"])
      .where("id", "=", old.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.processed, true);
    assert.equal(row.content_type, "image/jpeg");
    assert.equal((await inspect(Buffer.from(row.data))).exif, undefined);
  });

  it("refuses bytes that are no image, whatever the browser says", async () => {
    const offer = await makeOffer(instance, staff.user.id);
    const html = Buffer.from("<html><script>alert(1)</script></html>");
    const sent = await upload(offer.id, html, { filename: "photo.png", type: "image/png" });
    assert.equal(sent.status, 422, sent.text);
    assert.match(sent.text, /PNG, JPEG ou WebP/);
    assert.equal((await imagesOf(offer.id)).length, 0);
  });

  it("shows a draft's images to staff only, and a network offer's to signed-in members, never cached as public", async () => {
    const photo = await phonePhoto();
    const draft = await makeOffer(instance, staff.user.id, {}, false);
    assert.equal(
      (await upload(draft.id, photo, { filename: "a.jpg", type: "image/jpeg" })).status,
      303,
    );
    const network = await makeOffer(instance, staff.user.id, { visibility: "network" });
    assert.equal(
      (await upload(network.id, photo, { filename: "a.jpg", type: "image/jpeg" })).status,
      303,
    );
    const [draftImage] = await imagesOf(draft.id);
    const [networkImage] = await imagesOf(network.id);
    const member = await loggedIn(instance, await createMember(instance));
    const anonymous = supertest(instance.url);

    const draftPath = `/offers/${draft.id}/images/${draftImage!.id}`;
    assert.equal((await get(anonymous, draftPath)).status, 404);
    assert.equal((await get(member, draftPath)).status, 404);
    const byStaff = await get(staffAgent, draftPath);
    assert.equal(byStaff.status, 200);
    assert.match(String(byStaff.headers["cache-control"]), /^private/);

    const networkPath = `/offers/${network.id}/images/${networkImage!.id}/card`;
    assert.equal((await get(anonymous, networkPath)).status, 404);
    const byMember = await get(member, networkPath);
    assert.equal(byMember.status, 200);
    assert.match(String(byMember.headers["cache-control"]), /^private/);
    assert.equal(
      (await get(anonymous, `/offers/${network.id}/images/${networkImage!.id}/huge`)).status,
      404,
    );
  });
});

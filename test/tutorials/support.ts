// Shared steps of the tutorials suites: a tutorial written through the editor's forms, as a
// member without JavaScript would.
import assert from "node:assert/strict";
import sharp from "sharp";
import type { TestInstance } from "../support/instance.ts";
import { csrfFrom, submit, type Agent } from "../support/web.ts";

export async function categoryId(instance: TestInstance, slug: string): Promise<string> {
  const row = await instance.ctx.db
    .selectFrom("tutorial_categories")
    .select("id")
    .where("slug", "=", slug)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Creates a draft through the "new" form; returns its id. */
export async function newTutorial(
  instance: TestInstance,
  agent: Agent,
  fields: Record<string, string | number> & { title: string },
): Promise<string> {
  const res = await submit(agent, "/tutorials/new", "/tutorials/new", {
    category: await categoryId(instance, "bricolage"),
    difficulty: "facile",
    licence: "cc-by-sa-4.0",
    visibility: "public",
    ...fields,
  });
  assert.equal(res.status, 303, res.text);
  const id = /\/tutorials\/([0-9a-f-]{36})\/edit/.exec(res.headers.location ?? "")?.[1];
  assert.ok(id, `redirected to ${res.headers.location}`);
  return id;
}

export async function addStep(
  agent: Agent,
  tutorialId: string,
  title: string,
  text = "",
): Promise<void> {
  const res = await submit(
    agent,
    `/tutorials/${tutorialId}/edit`,
    `/tutorials/${tutorialId}/steps`,
    {
      "step-title": title,
      "step-text": text,
    },
  );
  assert.equal(res.status, 303, res.text);
}

export async function stepIds(instance: TestInstance, tutorialId: string) {
  return instance.ctx.db
    .selectFrom("tutorial_steps")
    .select(["id", "title", "position"])
    .where("tutorial_id", "=", tutorialId)
    .orderBy("position")
    .execute();
}

/** A photo as a phone gives it: JPEG with its camera and GPS position in EXIF. */
export function photo(color = { r: 200, g: 120, b: 40 }): Promise<Buffer> {
  return sharp({ create: { width: 1600, height: 1200, channels: 3, background: color } })
    .jpeg()
    .withExif({
      IFD0: { Make: "PhoneMaker" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "45/1 10/1 30/1" },
    })
    .toBuffer();
}

export async function uploadStepImage(
  agent: Agent,
  tutorialId: string,
  stepId: string,
  alt: string,
  data: Buffer,
) {
  const page = await agent.get(`/tutorials/${tutorialId}/steps/${stepId}/edit`);
  assert.equal(page.status, 200);
  return agent
    .post(`/tutorials/${tutorialId}/steps/${stepId}/images`)
    .field("_csrf", csrfFrom(page.text))
    .field("alt", alt)
    .attach("image", data, { filename: "photo.jpg", contentType: "image/jpeg" });
}

export async function publish(agent: Agent, tutorialId: string) {
  return submit(agent, `/tutorials/${tutorialId}/edit`, `/tutorials/${tutorialId}/publish`, {
    action: "publish",
  });
}

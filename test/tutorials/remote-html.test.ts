// The content of a remote tutorial as the page shows it (ADR 0117, 0119): an image is shown from
// our copy when one was asked for, a link to its source otherwise (kept before copies existed),
// and no other image source a remote server writes gets through.
import assert from "node:assert/strict";
import { contentImages, remoteContentForPage } from "../../server/tutorials/remote-html.ts";

const COPY = `/media/${"a".repeat(64)}`;
const label = (alt: string) => `Photo : ${alt}`;

describe("tutorials: a remote tutorial's content on the page", () => {
  const html =
    '<h2>1. Couper</h2><p><img src="https://a.example/i/1" alt="Six &amp; planches"></p>' +
    '<p><img src="https://a.example/i/2" alt="Le toit"></p>';

  it("lists the images of the content with their alt text", () => {
    assert.deepEqual(contentImages(html), [
      { url: "https://a.example/i/1", alt: "Six & planches" },
      { url: "https://a.example/i/2", alt: "Le toit" },
    ]);
  });

  it("shows an image from our copy, and links one without a copy", () => {
    const out = remoteContentForPage(html, label, (src) =>
      src === "https://a.example/i/1" ? COPY : undefined,
    );
    assert.match(out, /<h3>1\. Couper<\/h3>/);
    assert.match(out, new RegExp(`<img src="${COPY}" alt="Six &amp; planches" loading="lazy" />`));
    assert.match(out, /<a href="https:\/\/a\.example\/i\/2"[^>]*>Photo : Le toit<\/a>/);
    assert.doesNotMatch(out, /<img[^>]+https:/);
  });

  it("keeps no image source but our copies", () => {
    const forged = `<p><img src="${COPY}" alt="x"><img src="javascript:alert(1)" alt="y"></p>`;
    const out = remoteContentForPage(forged, label, () => "https://evil.example/p.png");
    assert.doesNotMatch(out, /<img/);
    assert.doesNotMatch(out, /javascript:/);
  });
});

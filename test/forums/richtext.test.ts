import assert from "node:assert/strict";
import { checkImage, sniffImage, stripJpegMetadata } from "../../server/forums/attachments.ts";
import { renderMarkdown, renderRemoteHtml } from "../../server/forums/richtext.ts";

describe("forums: rich text and images (no database)", () => {
  it("finds local and remote mentions, but not in code, links or e-mail addresses", () => {
    const out = renderMarkdown(
      "Salut @Alice, @bob@lemmy.example et @carol@cmcas.test. `@code` [lien](https://x.fr/@zed) jean@exemple.fr",
      "cmcas.test",
    );
    assert.deepEqual(
      out.mentions.map((m) => [m.acct, m.host]),
      [
        ["alice", null],
        ["bob@lemmy.example", "lemmy.example"],
        ["carol", null],
      ],
    );
    assert.match(out.html, /<span class="mention">@Alice<\/span>/);
    assert.match(out.html, /<code>@code<\/code>/);
  });

  it("sanitizes HTML that arrives from elsewhere with the same rules", () => {
    const out = renderRemoteHtml(
      '<p onclick="x()">Bonjour <a href="javascript:alert(1)">ici</a><script>alert(1)</script><img src=x onerror=y><iframe src="https://evil"></iframe></p>',
    );
    assert.equal(out.html, '<p>Bonjour <a rel="nofollow ugc noopener noreferrer">ici</a></p>');
    assert.equal(out.text, "Bonjour ici");
  });

  it("recognises images by their bytes and strips JPEG metadata", () => {
    assert.equal(sniffImage(Buffer.from("GIF89a....")), "image/gif");
    assert.equal(sniffImage(Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>")), undefined);
    assert.equal(sniffImage(Buffer.from("RIFF\0\0\0\0WEBPVP8 ")), "image/webp");
    // SOI, APP0 (JFIF, kept), APP1 (Exif with a GPS string, dropped), COM (dropped), SOS + data.
    const segment = (marker: number, body: string) => {
      const data = Buffer.from(body, "latin1");
      const head = Buffer.from([0xff, marker, 0, 0]);
      head.writeUInt16BE(data.length + 2, 2);
      return Buffer.concat([head, data]);
    };
    const jpeg = Buffer.concat([
      Buffer.from([0xff, 0xd8]),
      segment(0xe0, "JFIF\0"),
      segment(0xe1, "Exif\0\0GPS 45.9N 6.1E"),
      segment(0xfe, "camera serial 1234"),
      Buffer.from([0xff, 0xda, 0, 2, 1, 2, 3, 0xff, 0xd9]),
    ]);
    const clean = stripJpegMetadata(jpeg);
    assert.equal(sniffImage(clean), "image/jpeg");
    assert.ok(clean.includes(Buffer.from("JFIF")));
    assert.ok(!clean.includes(Buffer.from("GPS")));
    assert.ok(!clean.includes(Buffer.from("serial")));
    assert.ok(clean.subarray(-9).equals(Buffer.from([0xff, 0xda, 0, 2, 1, 2, 3, 0xff, 0xd9])));
    const checked = checkImage({ buffer: jpeg, size: jpeg.length }, "Le lac");
    assert.ok(checked.ok && !checked.value.data.includes(Buffer.from("GPS")));
    assert.deepEqual(checkImage({ buffer: jpeg, size: 5 * 1024 * 1024 }, "x"), {
      ok: false,
      error: "image_size",
    });
  });
});

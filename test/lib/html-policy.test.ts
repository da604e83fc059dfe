// The HTML policy's profiles: what each one strips (scripts, event handlers, styles, dangerous
// links) and what each one keeps, so that a change of an allow-list is a failing test.
import assert from "node:assert/strict";
import {
  htmlToText,
  LINK_REL,
  sanitizeHtmlAs,
  escapeText,
  stripTags,
  textToHtml,
  type HtmlProfile,
} from "../../server/lib/html-policy.ts";

const PROFILES: HtmlProfile[] = ["offer", "forumPost", "federated"];

const HOSTILE =
  '<p onclick="steal()" style="color:red">Bonjour <a href="javascript:alert(1)" onmouseover="x()">ici</a>' +
  '<script>alert(1)</script><img src="x" onerror="y()"><iframe src="https://evil.example"></iframe>' +
  '<a href="JaVaScRiPt:alert(2)">b</a><a href="data:text/html,<script>1</script>">c</a>' +
  '<a href="//evil.example/p">d</a><style>p{}</style><svg onload="z()"></svg></p>';

describe("HTML policy (no database)", () => {
  for (const profile of PROFILES) {
    describe(`profile ${profile}`, () => {
      it("drops scripts, event handlers, styles, frames and javascript:, data: and // links", () => {
        const out = sanitizeHtmlAs(profile, HOSTILE);
        assert.equal(
          out,
          `<p>Bonjour <a rel="${LINK_REL}">ici</a><a rel="${LINK_REL}">b</a>` +
            `<a rel="${LINK_REL}">c</a><a rel="${LINK_REL}">d</a></p>`,
        );
        assert.doesNotMatch(out, /script|onclick|onerror|onload|style|iframe|javascript/i);
      });

      it("keeps http(s) and mailto links, with our rel in place of the author's", () => {
        assert.equal(
          sanitizeHtmlAs(
            profile,
            '<a href="https://ex.fr/a?b=1&amp;c=2" rel="author" target="_blank" class="x">l</a> <a href="mailto:a@ex.fr">m</a>',
          ),
          `<a href="https://ex.fr/a?b=1&amp;c=2" rel="${LINK_REL}">l</a> <a href="mailto:a@ex.fr" rel="${LINK_REL}">m</a>`,
        );
      });

      it("gives an empty string for nothing", () => {
        assert.equal(sanitizeHtmlAs(profile, ""), "");
        assert.equal(sanitizeHtmlAs(profile, null), "");
        assert.equal(sanitizeHtmlAs(profile, undefined), "");
      });
    });
  }

  it("offer: keeps its tags, renames b and i, allows tel: links, drops the rest", () => {
    assert.equal(
      sanitizeHtmlAs(
        "offer",
        "<h3>T</h3><h4>U</h4><p>a<br>b <strong>s</strong> <em>e</em> <b>b</b> <i>i</i></p>" +
          '<ul><li>x</li></ul><ol><li>y</li></ol><blockquote>q</blockquote><a href="tel:+33123">t</a>' +
          "<h2>gone</h2><code>c</code><pre>p</pre><span>s</span><table><tr><td>td</td></tr></table>",
      ),
      "<h3>T</h3><h4>U</h4><p>a<br />b <strong>s</strong> <em>e</em> <strong>b</strong> <em>i</em></p>" +
        `<ul><li>x</li></ul><ol><li>y</li></ol><blockquote>q</blockquote><a href="tel:+33123" rel="${LINK_REL}">t</a>` +
        "gonecpstd",
    );
  });

  it("forumPost: keeps its tags, mention classes and ol start; lowers h1 and h2; no tel:", () => {
    assert.equal(
      sanitizeHtmlAs(
        "forumPost",
        "<h1>A</h1><h2>B</h2><h5>C</h5><h6>D</h6><p><s>s</s><del>d</del><code>c</code></p><pre>p</pre><hr>" +
          '<span class="mention h-card other" style="x">@a</span><ol start="3" type="a"><li>x</li></ol>' +
          '<a href="tel:+33123">t</a><table><tr><td>td</td></tr></table>',
      ),
      "<h3>A</h3><h4>B</h4><h5>C</h5><h6>D</h6><p><s>s</s><del>d</del><code>c</code></p><pre>p</pre><hr />" +
        `<span class="mention h-card">@a</span><ol start="3"><li>x</li></ol><a rel="${LINK_REL}">t</a>td`,
    );
  });

  it("federated: keeps its tags, no attribute but a link's, no heading", () => {
    assert.equal(
      sanitizeHtmlAs(
        "federated",
        '<p>a<br><span class="mention">@b</span> <strong>s</strong><em>e</em><b>b</b><i>i</i></p>' +
          "<ul><li>x</li></ul><ol start='2'><li>y</li></ol><blockquote>q</blockquote><code>c</code><pre>p</pre>" +
          "<h1>T</h1><h3>U</h3><s>s</s>",
      ),
      "<p>a<br /><span>@b</span> <strong>s</strong><em>e</em><b>b</b><i>i</i></p>" +
        "<ul><li>x</li></ul><ol><li>y</li></ol><blockquote>q</blockquote><code>c</code><pre>p</pre>TUs",
    );
  });

  it("text helpers: escape, paragraphs, and text that decodes each entity once", () => {
    assert.equal(escapeText("<b> & </b>"), "&lt;b&gt; &amp; &lt;/b&gt;");
    assert.equal(stripTags("<b>a</b> & <i>b</i> < c"), "a &amp; b &lt; c");
    // Plain text is escaped, never parsed: "<enfants>" and "&amp;" stay as they were typed.
    assert.equal(textToHtml("a <enfants> &amp;\n\nc"), "<p>a &lt;enfants&gt; &amp;amp;<br>c</p>");
    assert.equal(textToHtml(""), "");
    const html = "<h3>Titre</h3><p>Un &amp;lt; deux<br>trois</p><ul><li>x</li><li>y</li></ul>";
    assert.equal(htmlToText(html, "lines"), "Titre\nUn &lt; deux\ntrois\nx\ny");
    assert.equal(htmlToText(html, "flat"), "Titre Un &lt; deux trois x y");
  });
});

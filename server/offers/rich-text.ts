// Offer descriptions are written by staff as simple HTML or plain text. They are sanitized once,
// when written, with the "offer" profile of the HTML policy (server/lib/html-policy.ts): no script,
// no event handler, no style, no javascript: link.
import { escapeText, htmlToText, sanitizeHtmlAs } from "../lib/html-policy.ts";

/** Plain text (no tag at all) becomes paragraphs; anything else goes through the policy. */
export function sanitizeDescription(input: string): string {
  const text = input.replace(/\r\n?/g, "\n").trim();
  if (text === "") return "";
  // Blank lines make paragraphs, whether the text is plain or has a few tags (what the toolbar
  // writes: bold, italic, links, lists); a part that is already a block stays as it is.
  const html = /<[a-z/!]/i.test(text);
  const source = text
    .split(/\n{2,}/)
    .map((part) => {
      if (html && /^<(p|ul|ol|h[1-6]|div|blockquote|table|pre)[\s>]/i.test(part.trim()))
        return part;
      return `<p>${(html ? part : escapeText(part)).replace(/\n/g, "<br>")}</p>`;
    })
    .join("");
  return sanitizeHtmlAs("offer", source);
}

/** The words of a sanitized description, for the search index, feeds and calendars. */
export function plainText(html: string): string {
  return htmlToText(html, "lines");
}

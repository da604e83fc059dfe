// Offer descriptions are written by staff as simple HTML or plain text. They are sanitized once,
// when written, with the "offer" profile of the HTML policy (server/lib/html-policy.ts): no script,
// no event handler, no style, no javascript: link.
import { escapeText, htmlToText, sanitizeHtmlAs } from "../lib/html-policy.ts";

/** Plain text (no tag at all) becomes paragraphs; anything else goes through the policy. */
export function sanitizeDescription(input: string): string {
  const text = input.replace(/\r\n?/g, "\n").trim();
  if (text === "") return "";
  const source = /<[a-z/!]/i.test(text)
    ? text
    : text
        .split(/\n{2,}/)
        .map((paragraph) => `<p>${escapeText(paragraph).replace(/\n/g, "<br>")}</p>`)
        .join("");
  return sanitizeHtmlAs("offer", source);
}

/** The words of a sanitized description, for the search index, feeds and calendars. */
export function plainText(html: string): string {
  return htmlToText(html, "lines");
}

// Offer descriptions are written by staff as simple HTML or plain text. They are sanitized once,
// when written, with an allow-list: no script, no event handler, no style, no javascript: link.
import sanitizeHtml from "sanitize-html";

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "blockquote",
  ],
  allowedAttributes: { a: ["href", "rel"] },
  allowedSchemes: ["http", "https", "mailto", "tel"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  transformTags: {
    // Every link gets this rel, whatever the author wrote.
    a: sanitizeHtml.simpleTransform("a", { rel: "noopener nofollow ugc" }),
    b: "strong",
    i: "em",
  },
};

const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Plain text (no tag at all) becomes paragraphs; anything else goes through the allow-list. */
export function sanitizeDescription(input: string): string {
  const text = input.replace(/\r\n?/g, "\n").trim();
  if (text === "") return "";
  const source = /<[a-z/!]/i.test(text)
    ? text
    : text
        .split(/\n{2,}/)
        .map((paragraph) => `<p>${escape(paragraph).replace(/\n/g, "<br>")}</p>`)
        .join("");
  return sanitizeHtml(source, OPTIONS);
}

/** The words of a sanitized description, for the search index, feeds and calendars. */
export function plainText(html: string): string {
  return sanitizeHtml(html.replace(/<\/(p|li|h3|h4|blockquote)>|<br\s*\/?>/gi, "\n"), {
    allowedTags: [],
    allowedAttributes: {},
  })
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/[ \t]+/g, " ")
    .replace(/\n\s*\n+/g, "\n")
    .trim();
}

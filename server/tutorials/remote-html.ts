// The content of a tutorial received from another instance (ADR 0117). Kept with its step
// headings and its images (so every step reads as written there); shown here with each image from
// our own copy (`/media/<key>`, ADR 0119) with its alt text: the site's CSP loads nothing from
// another host. An image without a copy (kept before copies were asked for) is a link to where it
// lives, labelled with its alt text.
import sanitizeHtml from "sanitize-html";
import { LINK_REL } from "../lib/html-policy.ts";

const TEXT_TAGS = ["p", "br", "a", "span", "strong", "em", "b", "i", "ul", "ol", "li"];

const STORED: sanitizeHtml.IOptions = {
  allowedTags: [...TEXT_TAGS, "blockquote", "code", "pre", "h2", "h3", "h4", "img"],
  allowedAttributes: { a: ["href", "rel"], img: ["src", "alt"] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["http", "https"] },
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  transformTags: {
    // An Article's h1 (ours write h2 per step) sits at the same level as a step heading.
    h1: "h2",
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: LINK_REL } }),
  },
};

/** The Article's content as kept: headings, text, links and images with their alt text. */
export function sanitizeArticle(html: string): string {
  return html ? sanitizeHtml(html, STORED) : "";
}

/** The images of an Article's content, in order, as kept (src and alt text). */
export function contentImages(html: string): { url: string; alt: string }[] {
  const found: { url: string; alt: string }[] = [];
  sanitizeArticle(html).replace(/<img\b[^>]*>/g, (tag) => {
    const src = /\ssrc="([^"]*)"/.exec(tag)?.[1];
    const alt = /\salt="([^"]*)"/.exec(tag)?.[1] ?? "";
    if (src) found.push({ url: decodeAttribute(src), alt: decodeAttribute(alt) });
    return tag;
  });
  return found;
}

/** Text and attribute values as sanitize-html writes them, back to text. */
export function decodeAttribute(value: string): string {
  return value
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#x27;", "'")
    .replaceAll("&amp;", "&");
}

/** Our copies only: nothing else a remote server wrote becomes an image source. */
const OUR_COPY = /^\/media\/[0-9a-f]{64}$/;

/**
 * The kept content as the page shows it: its headings below the page's own "Steps" heading
 * (h2 → h3, h3 → h4), each image from our copy (`copyOf(src)`) with its alt text, or else a link
 * named by `label(alt)`.
 */
export function remoteContentForPage(
  html: string,
  label: (alt: string) => string,
  copyOf: (src: string) => string | null | undefined = () => undefined,
): string {
  if (!html) return "";
  return sanitizeHtml(html, {
    ...STORED,
    transformTags: {
      h2: "h3",
      h3: "h4",
      h4: "h5",
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: LINK_REL } }),
      img: (_tagName, attribs): sanitizeHtml.Tag => {
        const copy = attribs.src ? copyOf(attribs.src) : undefined;
        if (copy && OUR_COPY.test(copy))
          return {
            tagName: "img",
            attribs: { src: copy, alt: attribs.alt ?? "", loading: "lazy" },
          };
        return attribs.src
          ? {
              tagName: "a",
              attribs: { href: attribs.src, rel: LINK_REL, class: "tuto-remote-image" },
              text: label(attribs.alt ?? ""),
            }
          : { tagName: "span", attribs: {}, text: label(attribs.alt ?? "") };
      },
    },
    allowedTags: [...TEXT_TAGS, "blockquote", "code", "pre", "h3", "h4", "h5", "img"],
    allowedAttributes: { a: ["href", "rel", "class"], img: ["src", "alt", "loading"] },
    allowedSchemesByTag: {},
    // The frame has the tag's first name and its new attributes: an image turned into a link has
    // no `src` left; one still an image must show one of our copies.
    exclusiveFilter: (frame) =>
      frame.tag === "img" && "src" in frame.attribs && !OUR_COPY.test(frame.attribs.src ?? ""),
  });
}

// The one HTML sanitizing policy. Every piece of HTML we store or show that someone else wrote
// goes through a named profile of it; the profiles differ only in the tags they keep, what is
// common (link schemes, link rel, no script, no event handler, no style) is written once here.
// It lives in server/lib/ so that the domains and federation/ both use it (ADR 0065).
import sanitizeHtml from "sanitize-html";

/**
 * - `offer`: an offer's description, written by staff as simple HTML or plain text;
 * - `forumPost`: a post rendered from Markdown, and a federated post shown beside ours;
 * - `federated`: other HTML that arrives from elsewhere (profiles, notes, remote offers).
 */
export type HtmlProfile = "offer" | "forumPost" | "federated";

/** Every link gets this rel, whatever the author wrote: no SEO credit, no opener, no referrer. */
export const LINK_REL = "nofollow ugc noopener noreferrer";

interface Profile {
  tags: string[];
  /** Link schemes on top of http, https and mailto. */
  schemes?: string[];
  attributes?: Record<string, string[]>;
  classes?: Record<string, string[]>;
  /** Keeps our copies of remote pictures (`<img src="/media/…">`, federation/media). */
  pictures?: boolean;
  /** Tags renamed rather than dropped (e.g. headings that would compete with the page's). */
  rename?: Record<string, string>;
}

const PROFILES: Record<HtmlProfile, Profile> = {
  offer: {
    tags: ["p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h3", "h4", "blockquote"],
    schemes: ["tel"],
    rename: { b: "strong", i: "em" },
  },
  forumPost: {
    tags: [
      ...["p", "br", "strong", "b", "em", "i", "s", "del", "code", "pre", "blockquote"],
      ...["ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr", "span"],
    ],
    attributes: { span: ["class"], ol: ["start"] },
    classes: { span: ["mention", "h-card"] },
    pictures: true,
    // Headings inside a post never compete with the page's own outline.
    rename: { h1: "h3", h2: "h4" },
  },
  federated: {
    tags: [
      ...["p", "br", "a", "span", "strong", "em", "b", "i", "ul", "ol", "li"],
      ...["blockquote", "code", "pre"],
    ],
  },
};

/** The only pictures kept: our own copies, so that no page makes a reader's browser call another
 * server (and the CSP would block it anyway). */
const OUR_PICTURE = /^\/media\/[0-9a-f]{64}$/;

function options(profile: Profile): sanitizeHtml.IOptions {
  const pictures: {
    tags: string[];
    attributes: Record<string, string[]>;
    classes: Record<string, string[]>;
  } = profile.pictures
    ? {
        tags: ["figure", "img"],
        attributes: { img: ["src", "alt", "loading"] },
        classes: { figure: ["remote-picture"] },
      }
    : { tags: [], attributes: {}, classes: {} };
  const classes = { ...profile.classes, ...pictures.classes };
  return {
    allowedTags: [...profile.tags, ...pictures.tags],
    allowedAttributes: { a: ["href", "rel"], ...profile.attributes, ...pictures.attributes },
    ...(Object.keys(classes).length > 0 ? { allowedClasses: classes } : {}),
    exclusiveFilter: (frame) => frame.tag === "img" && !OUR_PICTURE.test(frame.attribs.src ?? ""),
    allowedSchemes: ["http", "https", "mailto", ...(profile.schemes ?? [])],
    allowProtocolRelative: false,
    disallowedTagsMode: "discard",
    transformTags: {
      ...profile.rename,
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: LINK_REL } }),
    },
  };
}

const OPTIONS = Object.fromEntries(
  Object.entries(PROFILES).map(([name, profile]) => [name, options(profile)]),
) as Record<HtmlProfile, sanitizeHtml.IOptions>;

/** The HTML kept by a profile; null, undefined and "" give "". */
export function sanitizeHtmlAs(profile: HtmlProfile, html: string | null | undefined): string {
  return html ? sanitizeHtml(html, OPTIONS[profile]) : "";
}

/** No tag at all: the text, with &, < and > escaped. */
export function stripTags(html: string): string {
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} });
}

/** Text as HTML text: what looks like a tag is shown, not dropped. */
export const escapeText = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Plain text as a paragraph of HTML (our own descriptions, typed without markup). */
export function textToHtml(text: string): string {
  const escaped = escapeText(text);
  return escaped ? `<p>${escaped.replace(/\n+/g, "<br>")}</p>` : "";
}

const decodeEntities = (text: string) =>
  text
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    // Last, so that "&amp;lt;" gives "&lt;" and not "<".
    .replace(/&amp;/g, "&");

/**
 * The words of sanitized HTML, entities decoded: `lines` keeps one line a block (feeds,
 * calendars, the offers' search text), `flat` one space (forum search and previews).
 */
export function htmlToText(html: string, layout: "lines" | "flat"): string {
  const text = decodeEntities(
    stripTags(html.replace(/<\/(p|li|blockquote|h\d|pre)>|<br\s*\/?>/gi, "$&\n")),
  );
  return layout === "flat"
    ? text.replace(/\s+/g, " ").trim()
    : text
        .replace(/[ \t]+/g, " ")
        .replace(/\n\s*\n+/g, "\n")
        .trim();
}

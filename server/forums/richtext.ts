// Members write Markdown; it is rendered here once, on write, and the HTML always goes through
// the "forumPost" profile of the HTML policy (server/lib/html-policy.ts) before it is stored.
// Posts that arrive as HTML (federation) go through the same profile. Mentions (@user, @user@host) are found while rendering, outside code and links.
import MarkdownIt from "markdown-it";
import type { Env, StateCore, Token } from "markdown-it";
import { htmlToText, sanitizeHtmlAs } from "../lib/html-policy.ts";

export interface Mention {
  /** As written, lower-cased: `user` or `user@host`. */
  acct: string;
  username: string;
  /** Null for a mention of this instance (written with or without our host). */
  host: string | null;
}

export interface Rendered {
  html: string;
  text: string;
  mentions: Mention[];
}

const MENTION =
  /(^|[^\p{L}\p{N}_@/.])@([a-z0-9_]{1,30})(?:@([a-z0-9-]+(?:\.[a-z0-9-]+)*(?::\d{1,5})?))?(?![\p{L}\p{N}_@])/giu;

interface MentionEnv extends Env {
  localHost: string;
  mentions: Map<string, Mention>;
}

function splitMentions(state: StateCore, token: Token, env: MentionEnv): Token[] | undefined {
  const text = token.content;
  MENTION.lastIndex = 0;
  let match: RegExpExecArray | null;
  let cursor = 0;
  const out: Token[] = [];
  while ((match = MENTION.exec(text)) !== null) {
    const start = match.index + match[1]!.length;
    const username = match[2]!.toLowerCase();
    let host = match[3]?.toLowerCase() ?? null;
    // "@bob@example." at the end of a sentence: the full stop is not part of the host.
    if (host === env.localHost) host = null;
    const acct = host ? `${username}@${host}` : username;
    env.mentions.set(acct, { acct, username, host });
    if (start > cursor) {
      const before = new state.Token("text", "", 0);
      before.content = text.slice(cursor, start);
      out.push(before);
    }
    const open = new state.Token("mention_open", "span", 1);
    open.attrSet("class", "mention");
    const label = new state.Token("text", "", 0);
    label.content = text.slice(start, MENTION.lastIndex);
    out.push(open, label, new state.Token("mention_close", "span", -1));
    cursor = MENTION.lastIndex;
  }
  if (out.length === 0) return undefined;
  if (cursor < text.length) {
    const rest = new state.Token("text", "", 0);
    rest.content = text.slice(cursor);
    out.push(rest);
  }
  return out;
}

function mentionsRule(state: StateCore): void {
  const env = state.env as MentionEnv;
  for (const block of state.tokens) {
    if (block.type !== "inline" || !block.children) continue;
    const children: Token[] = [];
    let inLink = 0;
    for (const child of block.children) {
      if (child.type === "link_open") inLink += 1;
      if (child.type === "link_close") inLink -= 1;
      const split =
        child.type === "text" && inLink === 0 ? splitMentions(state, child, env) : undefined;
      if (split) children.push(...split);
      else children.push(child);
    }
    block.children = children;
  }
}

// Raw HTML is off and images are off: pictures come only as checked attachments, so a post can
// never load a tracking pixel from elsewhere.
const md = new MarkdownIt("default", {
  html: false,
  linkify: true,
  breaks: true,
  typographer: false,
});
md.disable(["image"]);
md.core.ruler.before("linkify", "mentions", mentionsRule);
md.renderer.rules.mention_open = () => '<span class="mention">';
md.renderer.rules.mention_close = () => "</span>";

/** Text for search and previews: no markup, entities decoded, blank runs squeezed. */
export function plainText(html: string): string {
  return htmlToText(html, "flat");
}

export function renderMarkdown(source: string, localHost: string): Rendered {
  const env: MentionEnv = { localHost: localHost.toLowerCase(), mentions: new Map() };
  const html = sanitizeHtmlAs("forumPost", md.render(source, env));
  return { html, text: plainText(html), mentions: [...env.mentions.values()] };
}

/** HTML written elsewhere (a federated post): sanitized the same way, mentions left as they are. */
export function renderRemoteHtml(html: string): Rendered {
  const clean = sanitizeHtmlAs("forumPost", html);
  return { html: clean, text: plainText(clean), mentions: [] };
}

/** The Markdown of a quote: the quoted text, each line behind "> ", after who wrote it. */
export function quoteMarkdown(source: string, heading: string): string {
  const lines = source.trim().split(/\r?\n/);
  return `> ${heading.replace(/[*_`[\]<>]/g, "")}\n>\n${lines.map((l) => `> ${l}`).join("\n")}\n\n`;
}

export function excerpt(text: string, max = 180): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

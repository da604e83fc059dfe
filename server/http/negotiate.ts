// Content negotiation between a page and its ActivityStreams document. Media types are compared
// without their parameters: the ActivityPub specification has clients ask for
// `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, which a comparison
// including parameters (Express's `req.accepts`) does not match with `application/ld+json`.
const ACTIVITY_TYPES = new Set(["application/activity+json", "application/ld+json"]);
const PAGE_TYPES = new Set(["text/html", "application/xhtml+xml"]);

interface Range {
  type: string;
  q: number;
}

function ranges(accept: string): Range[] {
  return accept.split(",").flatMap((part) => {
    const [type, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    if (!type) return [];
    const q = params.map((p) => /^q=([0-9.]+)$/.exec(p)?.[1]).find((v) => v !== undefined);
    return [{ type, q: q === undefined ? 1 : Number(q) || 0 }];
  });
}

/** Whether the Accept header prefers an ActivityStreams document to a page (ties: the page,
 * as `*\/*` browsers get it). */
export function wantsActivityStreams(accept: string | undefined): boolean {
  if (!accept) return false;
  let activity = 0;
  let page = 0;
  for (const { type, q } of ranges(accept)) {
    if (ACTIVITY_TYPES.has(type)) activity = Math.max(activity, q);
    else if (PAGE_TYPES.has(type) || type === "*/*" || type === "text/*") page = Math.max(page, q);
  }
  return activity > 0 && activity > page;
}

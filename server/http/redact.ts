// Links that grant access carry their secret in the URL (mailed confirmation and reset links,
// calendar subscriptions, invitations). Logs keep the route, never the secret.
const SECRET_SEGMENTS: RegExp[] = [
  /^(\/confirm\/)(?!resend(?:[/?#]|$))[^/?#]+/,
  /^(\/password\/reset\/)[^/?#]+/,
  /^(\/calendars\/)[^/?#]+?(?=\.ics(?:[?#]|$)|[?#]|$)/,
];
const SECRET_PARAMS = new Set(["invitation", "token", "_csrf"]);
export const REDACTED = "[redacted]";

export function redactUrl(url: string): string {
  let redacted = url;
  for (const pattern of SECRET_SEGMENTS) redacted = redacted.replace(pattern, `$1${REDACTED}`);
  const query = redacted.indexOf("?");
  if (query < 0) return redacted;
  const params = redacted
    .slice(query + 1)
    .split("&")
    .map((pair) => {
      const name = pair.split("=")[0] ?? "";
      let key = name;
      try {
        key = decodeURIComponent(name);
      } catch {
        // A malformed name is logged as sent.
      }
      return SECRET_PARAMS.has(key) ? `${name}=${REDACTED}` : pair;
    });
  return `${redacted.slice(0, query)}?${params.join("&")}`;
}

// A browser-like client over HTTP: keeps cookies and submits forms with their CSRF token.
import supertest from "supertest";

export type Agent = ReturnType<typeof supertest.agent>;

export function browser(url: string): Agent {
  return supertest.agent(url);
}

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error("no CSRF token in page");
  return match[1]!;
}

/** GETs the page holding the form, then POSTs the fields with that page's CSRF token. */
export async function submit(
  agent: Agent,
  pagePath: string,
  action: string,
  fields: Record<string, string | number>,
) {
  const page = await agent.get(pagePath);
  const token = csrfFrom(page.text);
  return agent
    .post(action)
    .type("form")
    .send({
      ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])),
      _csrf: token,
    });
}

let counter = 0;
/** A unique e-mail/username pair for one test. */
export function person(prefix = "membre") {
  counter += 1;
  const id = `${prefix}${Date.now().toString(36)}${counter}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "")
    .slice(0, 30);
  return {
    email: `${id}@exemple.fr`,
    username: id,
    displayName: `Membre ${counter}`,
    password: "un mot de passe solide",
  };
}

/** Text as the browser shows it, from Handlebars-escaped HTML. */
export function unescapeHtml(html: string): string {
  return html
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) =>
      String.fromCodePoint(Number.parseInt(hex, 16)),
    )
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number.parseInt(dec, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

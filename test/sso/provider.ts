// A real OpenID Connect provider (oidc-provider) on a loopback port, with its development login
// and consent pages: any login name signs in, as that subject.
import http from "node:http";
import Provider from "oidc-provider";
import supertest from "supertest";
import { freePort } from "../support/instance.ts";

export interface TestProvider {
  issuer: string;
  port: number;
  /** People the provider knows: subject → claims. */
  people: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startProvider(options: {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  afterLogout: string;
  codeTtlSeconds?: number;
}): Promise<TestProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const people = new Map<string, Record<string, unknown>>();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.afterLogout],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name"],
      member: ["member_number"],
    },
    scopes: ["openid", "email", "profile", "member"],
    conformIdTokenClaims: false,
    findAccount: (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: () => ({ sub, ...(people.get(sub) ?? {}) }),
    }),
    ttl: {
      AuthorizationCode: options.codeTtlSeconds ?? 60,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: 600,
    },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  });
  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    issuer,
    port,
    people,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Follows the provider's pages as a person would (login as `subject`, then consent) from
 * `start` until the provider sends the browser back to `callbackPrefix`; returns that URL.
 */
export async function signInAtProvider(
  start: string,
  subject: string,
  callbackPrefix: string,
): Promise<string> {
  const origin = new URL(start).origin;
  const agent = supertest.agent(origin);
  let next = start;
  for (let i = 0; i < 20; i++) {
    if (next.startsWith(callbackPrefix)) return next;
    const url = new URL(next, origin);
    const page = await agent.get(url.pathname + url.search);
    if (page.status >= 300 && page.status < 400) {
      next = new URL(page.headers.location!, url).href;
      continue;
    }
    const action = /<form[^>]*action="([^"]+)"/.exec(page.text)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(page.text)?.[1];
    if (!action || !prompt)
      throw new Error(`unexpected provider page: ${page.status} ${page.text}`);
    const target = new URL(action.replace(/&amp;/g, "&"), url);
    const sent = await agent
      .post(target.pathname + target.search)
      .type("form")
      .send(prompt === "login" ? { prompt, login: subject, password: "peu importe" } : { prompt });
    next = new URL(sent.headers.location!, target).href;
  }
  throw new Error("the provider did not send the browser back");
}

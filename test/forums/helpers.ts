// Shared steps of the forum suites: members with API tokens, groups, and waiting for the
// notifications that a job writes after commit.
import { sql } from "kysely";
import supertest from "supertest";
import type { Role } from "../../server/accounts/accounts.tables.ts";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { createGroup, type GroupInput } from "../../server/forums/groups.service.ts";
import type { Group } from "../../server/forums/groups.repo.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import type { TestInstance } from "../support/instance.ts";
import type { Agent } from "../support/web.ts";
import { forumDeps } from "../../server/forums/groups.service.ts";

export interface ForumMember extends Member {
  token: string;
  agent: Agent;
  api: ReturnType<typeof apiClient>;
}

export function apiClient(instance: TestInstance, token: string) {
  const auth = { Authorization: `Bearer ${token}` };
  const request = supertest(instance.url);
  return {
    get: (path: string) => request.get(`/api/v1${path}`).set(auth),
    post: (path: string, body: object = {}) => request.post(`/api/v1${path}`).set(auth).send(body),
    put: (path: string, body: object = {}) => request.put(`/api/v1${path}`).set(auth).send(body),
    patch: (path: string, body: object) => request.patch(`/api/v1${path}`).set(auth).send(body),
    delete: (path: string) => request.delete(`/api/v1${path}`).set(auth),
  };
}

/**
 * A member signed in on the pages and holding an API token. Accounts are made a month old unless
 * `fresh`: brand-new accounts post slowly, which only the slow-mode test wants.
 */
export async function forumMember(
  instance: TestInstance,
  role: Role = "member",
  options: { fresh?: boolean; prefix?: string } = {},
): Promise<ForumMember> {
  const member = await createMember(instance, role, options.prefix);
  if (!options.fresh) await ageAccount(instance, member.user.id, 30);
  const { token } = await issueApiToken(instance.ctx.db, member.user.id, "tests");
  return {
    ...member,
    token,
    agent: await loggedIn(instance, member),
    api: apiClient(instance, token),
  };
}

export async function ageAccount(instance: TestInstance, userId: string, days: number) {
  await instance.ctx.db
    .updateTable("users")
    .set({ created_at: sql<Date>`now() - make_interval(days => ${days})` })
    .where("id", "=", userId)
    .execute();
}

export async function newGroup(
  instance: TestInstance,
  owner: Member,
  input: Partial<GroupInput> & { name: string },
): Promise<Group> {
  const result = await instance.ctx.transaction((tx) =>
    createGroup(tx, forumDeps(instance.ctx), owner.user, { visibility: "public", ...input }),
  );
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

export async function notificationsOf(instance: TestInstance, userId: string) {
  return instance.ctx.db
    .selectFrom("notifications")
    .select(["kind", "data", "link", "email_state"])
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .execute();
}

/** Polls until `check` returns a value (jobs run after the request has answered). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

let counter = 0;
/** A group slug unique within the run. */
export const slug = (base: string) => `${base}_${Date.now().toString(36)}${++counter}`;

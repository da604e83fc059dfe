import { createAccount } from "../../server/accounts/accounts.service.ts";
import type { Role } from "../../server/accounts/accounts.tables.ts";
import type { User } from "../../server/accounts/accounts.repo.ts";
import type { TestInstance } from "./instance.ts";
import { browser, person, submit, type Agent } from "./web.ts";

export interface Member extends ReturnType<typeof person> {
  user: User;
}

/** A confirmed account created the way an admin would. */
export async function createMember(
  instance: TestInstance,
  role: Role = "member",
  prefix?: string,
): Promise<Member> {
  const who = person(prefix ?? role);
  const result = await instance.ctx.transaction((tx) =>
    createAccount(tx, { ...who, language: "fr", role }),
  );
  if (!result.ok) throw new Error(result.error);
  return { ...who, user: result.value };
}

export async function loggedIn(
  instance: TestInstance,
  member: { email: string; password: string },
): Promise<Agent> {
  const agent = browser(instance.url);
  const res = await submit(agent, "/login", "/login", {
    email: member.email,
    password: member.password,
  });
  if (res.status !== 303) throw new Error(`login failed with ${res.status}`);
  return agent;
}

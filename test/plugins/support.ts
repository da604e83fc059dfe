// Helpers of the solidarity plugins' tests: an administrator switching a plugin from the Modules
// page, an API token, and a member's notices.
import assert from "node:assert/strict";
import supertest from "supertest";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import type { TestInstance } from "../support/instance.ts";
import type { Member } from "../support/accounts.ts";
import { submit, type Agent } from "../support/web.ts";

export async function switchPlugin(admin: Agent, name: string, on: boolean): Promise<void> {
  const res = await submit(admin, "/admin/modules", `/admin/modules/${name}`, {
    enabled: on ? "on" : "off",
  });
  assert.equal(res.status, 303, `switching ${name} ${on ? "on" : "off"}`);
}

export async function saveSettings(
  admin: Agent,
  name: string,
  values: Record<string, string | number>,
): Promise<void> {
  const res = await submit(
    admin,
    "/admin/modules",
    `/admin/modules/${name}/settings`,
    Object.fromEntries(Object.entries(values).map(([k, v]) => [`${name}.${k}`, v])),
  );
  assert.equal(res.status, 303, `saving ${name}'s settings`);
}

export async function bearer(instance: TestInstance, member: Member): Promise<string> {
  return `Bearer ${(await issueApiToken(instance.ctx.db, member.user.id, "t")).token}`;
}

export function api(instance: TestInstance) {
  return supertest(instance.url);
}

export function notices(instance: TestInstance, userId: string, kind: string) {
  return instance.ctx.db
    .selectFrom("notifications")
    .select(["kind", "data", "link"])
    .where("user_id", "=", userId)
    .where("kind", "=", kind)
    .execute();
}

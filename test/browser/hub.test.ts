// The hub's pages (HUB=1) in Chromium, at desktop and phone widths: no serious or critical axe
// violation, one <h1>, and at 360 px no sideways scroll. The calendar also works with JavaScript
// off (it is a list of links and forms).
import assert from "node:assert/strict";
import type { Browser, BrowserContext } from "playwright-core";
import { saveRemoteActor } from "../../federation/actors/remote.ts";
import { saveFollow } from "../../federation/follows/follows.repo.ts";
import { createMember, type Member } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { SKIP_BROWSER_SUITE } from "../support/env.ts";
import { makeOffer } from "../offers/support.ts";
import { chromiumAvailable, contextFor, launch, scanPage, type PageEntry } from "./harness.ts";

const PHONE = { width: 360, height: 740 };

describe("browser: the hub's pages pass the axe scan on desktop and phone", function () {
  this.timeout(10 * 60_000);
  let instance: TestInstance;
  let browser: Browser;
  let admin: Member;
  let entries: PageEntry[];

  before(async function () {
    if (SKIP_BROWSER_SUITE || !chromiumAvailable()) this.skip();
    instance = await startTestInstance({ env: { HUB: "1", INSTANCE_NAME: "CCAS" } });
    admin = await createMember(instance, "admin");
    const { db } = instance.ctx;
    const remote = await saveRemoteActor(db, {
      uri: "https://cmcas-lyon.example/users/cmcas",
      host: "cmcas-lyon.example",
      type: "Organization",
      username: "cmcas",
      name: "CMCAS de Lyon",
      summary: "",
      url: null,
      iconUrl: null,
      inbox: "https://cmcas-lyon.example/users/cmcas/inbox",
      sharedInbox: null,
      outbox: null,
      followersUrl: null,
    });
    await saveFollow(db, {
      localActor: "cmcas",
      localUserId: null,
      remoteActorId: remote.id,
      direction: "outgoing",
      state: "accepted",
      activityId: "https://example.invalid/activities/hub-scan",
    });
    await db
      .insertInto("hub_members")
      .values([
        {
          host: "cmcas-lyon.example",
          actor_uri: "https://cmcas-lyon.example/actor",
          name: "CMCAS de Lyon",
          state: "accepted",
          join_activity_id: "https://cmcas-lyon.example/activities/1",
          cmcas_actor_uri: remote.uri,
        },
        {
          host: "cmcas-nantes.example",
          actor_uri: "https://cmcas-nantes.example/actor",
          name: "CMCAS de Nantes",
          join_activity_id: "https://cmcas-nantes.example/activities/1",
        },
      ])
      .execute();
    // The network page as a member instance sees it (a hub joined, a list kept, a failure).
    await db
      .insertInto("hub_link")
      .values({
        id: 1,
        hub_url: "https://hub.example/",
        requested_at: new Date(),
        trust_list: true,
        list_json: JSON.stringify(["cmcas-lyon.example"]),
        list_updated_at: new Date(),
        list_fetched_at: new Date(),
        last_error: "fetch failed",
        last_attempt_at: new Date(),
      })
      .execute();
    // A member's shared aggregates, so that their table is scanned too (ADR 0125).
    await db
      .insertInto("hub_shared_aggregates")
      .values({
        host: "cmcas-lyon.example",
        month: "2026-05",
        category: "loisirs",
        measure: "waitlisted",
        value: 7,
      })
      .execute();
    await makeOffer(instance, admin.user.id, {
      title: "Assemblée nationale des CMCAS",
    });
    const other = await makeOffer(instance, admin.user.id, {
      title: "Randonnée dans les Monts du Lyonnais",
    });
    await db
      .updateTable("offers")
      .set({
        remote_uri: "https://cmcas-lyon.example/offers/1",
        remote_actor_id: remote.id,
        remote_url: "https://cmcas-lyon.example/offers/1",
      })
      .where("id", "=", other.id)
      .execute();
    const day = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    entries = [
      { path: "/hub/calendar", as: "anonymous" },
      { path: `/hub/calendar?view=day&date=${day}`, as: "anonymous" },
      { path: `/hub/calendar?view=week&date=${day}`, as: "anonymous" },
      { path: `/hub/calendar?view=month&date=${day}`, as: "anonymous" },
      { path: "/hub/calendar?region=atlantide&near=00000", as: "anonymous", status: 422 },
      { path: `/hub/book/${other.id}`, as: "anonymous" },
      { path: "/admin/hub", as: "admin" },
      { path: "/hub/observatory", as: "anonymous" },
      { path: "/admin/observatory", as: "admin" },
      { path: "/admin/network", as: "admin" },
    ];
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await instance?.destroy();
  });

  for (const device of ["desktop", "phone"] as const) {
    it(`has no serious or critical violation (${device})`, async () => {
      const contexts: Record<string, BrowserContext> = {
        anonymous: await contextFor(browser, instance.url),
        admin: await contextFor(browser, instance.url, admin),
      };
      if (device === "phone")
        for (const context of Object.values(contexts))
          for (const page of context.pages()) await page.setViewportSize(PHONE);
      const findings: string[] = [];
      for (const entry of entries) {
        const context = contexts[entry.as]!;
        const scanned = await scanPage(
          context,
          {
            ...entry,
            ...(device === "phone"
              ? {
                  prepare: async (page) => {
                    await page.setViewportSize(PHONE);
                    const wide = await page.evaluate(
                      () => document.documentElement.scrollWidth > window.innerWidth,
                    );
                    if (wide) findings.push(`${entry.path}: sideways scroll at 360 px`);
                  },
                }
              : {}),
          },
          instance.url,
        );
        for (const problem of scanned.problems) findings.push(`${entry.path}: ${problem}`);
      }
      for (const context of Object.values(contexts)) await context.close();
      assert.deepEqual(findings, []);
    });
  }

  it("shows the calendar as a list with JavaScript off", async () => {
    const context = await contextFor(browser, instance.url, undefined, false);
    const page = await context.newPage();
    await page.goto("/hub/calendar");
    const titles = await page.locator("article h4").allTextContents();
    assert.deepEqual(titles, [
      "Assemblée nationale des CMCAS",
      "Randonnée dans les Monts du Lyonnais",
    ]);
    assert.equal(await page.locator('a[href^="/hub/book/"]').count(), 1);
    await context.close();
  });
});

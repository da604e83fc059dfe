// The hub's count of matches (ADR 0147): without words it counts every match up to 1,000; a
// words search is counted by its page (its rows, and "more" while a next page follows), so that
// it reads no more matches than the page shows. The rows and their order are the same either way.
import assert from "node:assert/strict";
import { readHubSearch } from "../../server/hub/calendar.params.ts";
import { hubPage } from "../../server/hub/calendar.routes.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { DAY, makeOffer } from "../offers/support.ts";

describe(`hub: the count of matches (${MODE})`, function () {
  this.timeout(120_000);
  let instance: TestInstance;

  before(async () => {
    instance = await startTestInstance({ env: { HUB: "1" } });
    const staff = await createMember(instance, "staff");
    // Five hikes and two others, one day apart, soonest first in the order made.
    for (let n = 1; n <= 7; n++)
      await makeOffer(instance, staff.user.id, {
        title: n <= 5 ? `Randonnée n° ${n}` : `Atelier n° ${n}`,
        startsAt: new Date(Date.now() + n * DAY),
        endsAt: new Date(Date.now() + n * DAY + 3 * 3600_000),
      });
  });
  after(() => instance?.stop());

  const page = async (query: Record<string, string>, n: number, perPage = 2) =>
    hubPage(instance.ctx, await readHubSearch(instance.ctx.db, query), false, n, perPage);
  const titles = (p: Awaited<ReturnType<typeof page>>) => p.items.map((i) => i.title);

  it("counts every match without words", async () => {
    const first = await page({}, 1);
    assert.deepEqual(titles(first), ["Randonnée n° 1", "Randonnée n° 2"]);
    assert.equal(first.total, 7);
    assert.equal(first.totalCapped, false);
    assert.equal(first.hasMore, true);
  });

  it("counts a words search as far as its page, the rows unchanged", async () => {
    const q = { q: "randonnees" };
    const first = await page(q, 1);
    assert.deepEqual(titles(first), ["Randonnée n° 1", "Randonnée n° 2"]);
    assert.equal(first.total, 2);
    assert.equal(first.totalCapped, true);
    assert.equal(first.hasMore, true);
    const second = await page(q, 2);
    assert.deepEqual(titles(second), ["Randonnée n° 3", "Randonnée n° 4"]);
    assert.equal(second.total, 4);
    assert.equal(second.totalCapped, true);
    // The last page knows the exact number.
    const last = await page(q, 3);
    assert.deepEqual(titles(last), ["Randonnée n° 5"]);
    assert.equal(last.total, 5);
    assert.equal(last.totalCapped, false);
    assert.equal(last.hasMore, false);
    // All on one page: exact.
    const all = await page(q, 1, 50);
    assert.equal(all.items.length, 5);
    assert.equal(all.total, 5);
    assert.equal(all.totalCapped, false);
    // Past the last page (a typed address): counted.
    const past = await page(q, 9);
    assert.deepEqual(titles(past), []);
    assert.equal(past.total, 5);
    assert.equal(past.totalCapped, false);
  });

  it("says so on the calendar page", async () => {
    const res = await fetch(`${instance.url}/hub/calendar?q=randonnees`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /5 activités/);
    assert.doesNotMatch(html, /Plus de/);
  });
});

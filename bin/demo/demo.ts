// A demonstration CMCAS: members with their families, staff, offers across categories, dates
// and places, registrations (through the booking service).
import { sql } from "kysely";
import type { AppContext } from "../../server/context.ts";
import { emailExists, insertUser } from "../../server/accounts/accounts.repo.ts";
import { hashPassword } from "../../server/accounts/secrets.ts";
import type { Relation } from "../../server/accounts/accounts.tables.ts";
import { insertFamilyMember } from "../../server/members/members.repo.ts";
import * as data from "./demo-data.ts";
import {
  findPostalPlace,
  listCategories,
  type OfferInsert,
} from "../../server/offers/offers.repo.ts";
import {
  cancelOffer,
  completeEndedOffers,
  createOffer,
  offerColumns,
  type OfferInput,
} from "../../server/offers/offers.service.ts";
import { register } from "../../server/offers/registrations.service.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";

const DAY = 86_400_000;
export const DEMO_PASSWORD = "demo maillage 2026";

type Place = (typeof data.PLACES)[number] & { latitude: number; longitude: number };

async function places(ctx: AppContext): Promise<Place[]> {
  const found: Place[] = [];
  for (const place of data.PLACES) {
    const point = await findPostalPlace(ctx.db, place.postalCode);
    if (point) found.push({ ...place, latitude: point.latitude, longitude: point.longitude });
  }
  return found;
}

/** The n-th demo offer: a template, a place and a date spread around `now`. */
export function demoOffer(
  n: number,
  categories: Map<string, string>,
  where: Place[],
  rnd: () => number,
  now: Date,
  spreadDays: { from: number; to: number },
): OfferInput {
  const t = data.TEMPLATES[n % data.TEMPLATES.length]!;
  const place = where[Math.floor(rnd() * where.length)]!;
  const day = spreadDays.from + Math.floor(rnd() * (spreadDays.to - spreadDays.from));
  const start = new Date(now.getTime() + day * DAY);
  // Activities start at a round hour in the morning, or in the evening for shows.
  start.setUTCHours(t.category === "culture" ? 18 : 7 + Math.floor(rnd() * 5), 0, 0, 0);
  const end = new Date(start.getTime() + t.hours * 3600_000);
  const bands = [7000, 12000, null];
  const round = Math.floor(n / data.TEMPLATES.length);
  return {
    title: round === 0 ? t.title : `${t.title} — ${place.city}`,
    summary: t.summary,
    description: t.description,
    categoryId: categories.get(t.category)!,
    audiences: t.audiences,
    startsAt: start,
    endsAt: end,
    timezone: "Europe/Paris",
    registrationOpensAt: null,
    registrationClosesAt: t.hours >= 24 ? new Date(start.getTime() - 7 * DAY) : null,
    cancellationDeadline: new Date(start.getTime() - (t.hours >= 24 ? 14 : 2) * DAY),
    locationKind: t.online ? "online" : "place",
    address: place.address,
    postalCode: place.postalCode,
    city: place.city,
    latitude: place.latitude,
    longitude: place.longitude,
    onlineUrl: t.online ? "https://visio.exemple.fr/atelier-photo" : null,
    capacity: t.capacity,
    maxPersonsPerRegistration: t.maxPersons,
    minAge: t.ages?.[0] ?? null,
    maxAge: t.ages?.[1] ?? null,
    priceTiers: (t.prices ?? []).map((euros, i) => ({
      upTo: bands[i] ?? null,
      price: euros * 100,
    })),
    organiserSlvieId: null,
    visibility: rnd() < 0.8 ? "public" : rnd() < 0.5 ? "network" : "local",
  };
}

/** Published offers straight into the table, in batches, for benchmarks that need thousands:
 * their places taken are drawn at random, with no registration behind them. */
export async function insertDemoOffers(
  ctx: AppContext,
  count: number,
  staffId: string | null,
  seed = 7,
): Promise<number> {
  const rnd = data.random(seed);
  const categories = new Map((await listCategories(ctx.db)).map((c) => [c.slug, c.id]));
  const where = await places(ctx);
  const now = new Date();
  let inserted = 0;
  for (let batch = 0; batch < count; batch += 500) {
    const rows: OfferInsert[] = [];
    for (let n = batch; n < Math.min(count, batch + 500); n++) {
      const input = demoOffer(n, categories, where, rnd, now, { from: 1, to: 730 });
      const columns = await offerColumns(ctx.db, input);
      if (!columns.ok) throw new Error(`demo offer ${n} refused`);
      rows.push({
        ...(columns.value as OfferInsert),
        status: "published",
        published_at: now,
        created_by: staffId,
        places_taken: Math.floor(rnd() * (input.capacity + 1)),
      });
    }
    await ctx.db.insertInto("offers").values(rows).execute();
    inserted += rows.length;
  }
  return inserted;
}

async function account(
  ctx: AppContext,
  hash: string,
  who: {
    email: string;
    username: string;
    displayName: string;
    role: "member" | "staff" | "moderator" | "admin";
  },
) {
  if (await emailExists(ctx.db, who.email)) return undefined;
  return insertUser(ctx.db, { ...who, passwordHash: hash, language: "fr", confirmed: true });
}

export interface DemoSummary {
  members: number;
  families: number;
  offers: number;
  registrations: number;
}

export async function seedDemo(
  ctx: AppContext,
  options: { members: number; offers: number; seed?: number },
): Promise<DemoSummary> {
  const rnd = data.random(options.seed ?? 2026);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const hash = await hashPassword(DEMO_PASSWORD);
  const summary: DemoSummary = { members: 0, families: 0, offers: 0, registrations: 0 };
  const now = new Date();

  for (const name of data.SLVIES)
    await sql`insert into slvies (name) select ${name}
      where not exists (select 1 from slvies where lower(name) = lower(${name}))`.execute(ctx.db);
  const staff =
    (await account(ctx, hash, {
      email: "equipe@demo.maillage.test",
      username: "equipe",
      displayName: "Équipe de la CMCAS",
      role: "staff",
    })) ?? undefined;
  // A demo is explored at once: with an administration account, no visit is led to /setup.
  await account(ctx, hash, {
    email: "admin@demo.maillage.test",
    username: "admin",
    displayName: "Administration",
    role: "admin",
  });
  await account(ctx, hash, {
    email: "moderation@demo.maillage.test",
    username: "moderation",
    displayName: "Modération",
    role: "moderator",
  });
  const staffId =
    staff?.id ??
    (
      await ctx.db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "equipe@demo.maillage.test")
        .executeTakeFirstOrThrow()
    ).id;

  const members: string[] = [];
  const year = now.getFullYear();
  for (let i = 0; i < options.members; i++) {
    const first = pick(data.FIRST_NAMES);
    const last = pick(data.LAST_NAMES);
    const user = await account(ctx, hash, {
      email: `membre${i + 1}@demo.maillage.test`,
      username: `membre${i + 1}`,
      displayName: `${first} ${last}`,
      role: "member",
    });
    if (!user) continue;
    members.push(user.id);
    summary.members += 1;
    const relatives: { firstName: string; relation: Relation; birthYear: number }[] = [];
    if (rnd() < 0.6)
      relatives.push({
        firstName: pick(data.FIRST_NAMES),
        relation: "spouse",
        birthYear: year - 30 - Math.floor(rnd() * 35),
      });
    const children = rnd() < 0.55 ? 1 + Math.floor(rnd() * 3) : 0;
    for (let c = 0; c < children; c++)
      relatives.push({
        firstName: pick(data.CHILD_NAMES),
        relation: "child",
        birthYear: year - 2 - Math.floor(rnd() * 18),
      });
    for (const relative of relatives) await insertFamilyMember(ctx.db, user.id, relative);
    summary.families += relatives.length ? 1 : 0;
  }

  const categories = new Map((await listCategories(ctx.db)).map((c) => [c.slug, c.id]));
  const where = await places(ctx);
  const created: { id: string; input: OfferInput }[] = [];
  for (let n = 0; n < options.offers; n++) {
    const input = demoOffer(n, categories, where, rnd, now, { from: -60, to: 180 });
    if (n % 20 === 19) input.title = `${input.title} (brouillon)`;
    const result = await ctx.transaction((tx) =>
      createOffer(tx, bookingDeps(ctx), staffId, input, n % 20 !== 19),
    );
    if (!result.ok) throw new Error(`demo offer refused: ${JSON.stringify(result.details)}`);
    created.push({ id: result.value.id, input });
    summary.offers += 1;
  }

  // Registrations, as members would have made them before each offer started.
  const deps = bookingDeps(ctx);
  for (const { id, input } of created) {
    const demand = Math.round(input.capacity * (0.3 + rnd() * 1.1));
    const when = new Date(Math.min(now.getTime(), input.startsAt.getTime() - 10 * DAY));
    let taken = 0;
    for (let k = 0; k < members.length && taken < demand; k++) {
      const userId = members[Math.floor(rnd() * members.length)]!;
      const persons = 1 + Math.floor(rnd() * Math.min(input.maxPersonsPerRegistration, 2));
      const result = await ctx.transaction((tx) =>
        register(
          tx,
          { ...deps, now: when },
          {
            offerId: id,
            participant: { kind: "local", userId },
            persons: { count: persons },
            byStaff: input.minAge !== null || input.maxAge !== null,
          },
        ),
      );
      if (result.ok) {
        summary.registrations += 1;
        taken += result.value.persons;
      }
    }
  }
  // Two cancellations, and what ended is completed (the reviews plugin reviews it: its demo.ts).
  for (const { id } of created.filter((c) => c.input.startsAt > now).slice(3, 5))
    await ctx.transaction((tx) =>
      cancelOffer(tx, deps, id, "Nombre minimum de participants non atteint"),
    );
  await completeEndedOffers(ctx.db, now);
  return summary;
}

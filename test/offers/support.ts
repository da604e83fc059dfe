// Offers made the way staff make them (through the service), for the offers suites.
import { findCategory } from "../../server/offers/offers.repo.ts";
import { createOffer, type OfferInput } from "../../server/offers/offers.service.ts";
import type { TestInstance } from "../support/instance.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";

export const DAY = 86_400_000;

export async function makeOffer(
  instance: TestInstance,
  staffId: string,
  overrides: Partial<OfferInput> & { category?: string } = {},
  publish = true,
) {
  const input = await offerInput(instance, overrides);
  const result = await instance.ctx.transaction((tx) =>
    createOffer(tx, bookingDeps(instance.ctx), staffId, input, publish),
  );
  if (!result.ok) throw new Error(`offer refused: ${JSON.stringify(result.details)}`);
  return result.value;
}

/** The form staff fill for an offer (ten days from now, in Grenoble), with `overrides`. */
export async function offerInput(
  instance: TestInstance,
  overrides: Partial<OfferInput> & { category?: string } = {},
): Promise<OfferInput> {
  const { category = "loisirs", ...rest } = overrides;
  const found = await findCategory(instance.ctx.db, category);
  if (!found) throw new Error(`no category ${category}`);
  const start = new Date(Date.now() + 10 * DAY);
  const input: OfferInput = {
    title: "Sortie au lac",
    summary: "Une journée au bord du lac",
    description: "Pique-nique et baignade.",
    categoryId: found.id,
    audiences: ["tous"],
    startsAt: start,
    endsAt: new Date(start.getTime() + 6 * 3600_000),
    timezone: "Europe/Paris",
    registrationOpensAt: null,
    registrationClosesAt: null,
    cancellationDeadline: null,
    locationKind: "place",
    address: "Base de loisirs",
    postalCode: "38000",
    city: "Grenoble",
    latitude: null,
    longitude: null,
    onlineUrl: null,
    capacity: 10,
    maxPersonsPerRegistration: Math.min(4, overrides.capacity ?? 10),
    minAge: null,
    maxAge: null,
    priceTiers: [],
    organiserSlvieId: null,
    visibility: "public",
    ...rest,
  };
  return input;
}

/** Waits until the job queue has run what it was given (notifications are written in jobs). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

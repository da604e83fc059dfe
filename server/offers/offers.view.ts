// Words and numbers of offers as pages show them, in the reader's language.
import type { Translate } from "../i18n/i18n.ts";
import { FragmentCache } from "../lib/fragment-cache.ts";
import type { OfferCard } from "./catalogue.repo.ts";
import type { Offer } from "./offers.repo.ts";
import type { PriceTier } from "./offers.tables.ts";

type T = Translate | ((key: string, values?: Record<string, unknown>) => string);

const locale = (lang: string) => (lang === "en" ? "en-GB" : "fr-FR");

// Building an Intl formatter costs far more than using one: a catalogue page formats hundreds
// of dates and prices, so formatters are kept per language, timezone and style.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function dateFormat(lang: string, zone: string, options: Intl.DateTimeFormatOptions) {
  const key = `d|${lang}|${zone}|${JSON.stringify(options)}`;
  let found = formatters.get(key) as Intl.DateTimeFormat | undefined;
  if (!found) {
    found = new Intl.DateTimeFormat(locale(lang), { ...options, timeZone: zone });
    formatters.set(key, found);
  }
  return found;
}

function numberFormat(lang: string, options: Intl.NumberFormatOptions) {
  const key = `n|${lang}|${JSON.stringify(options)}`;
  let found = formatters.get(key) as Intl.NumberFormat | undefined;
  if (!found) {
    found = new Intl.NumberFormat(locale(lang), options);
    formatters.set(key, found);
  }
  return found;
}

export function money(cents: number, lang: string): string {
  return numberFormat(lang, {
    style: "currency",
    currency: "EUR",
    minimumFractionDigits: cents % 100 === 0 ? 0 : 2,
  }).format(cents / 100);
}

/** Another publisher's event without prices may state them in its text only (event software has
 * no price field): it is not shown as free unless it says so. */
export function priceLabel(
  tiers: PriceTier[],
  minCents: number,
  lang: string,
  t: T,
  remote = false,
): string {
  if (tiers.length === 0) return t(remote ? "offers:price.seeDescription" : "offers:price.free");
  if (tiers.length === 1 && tiers[0]!.price === 0) return t("offers:price.free");
  if (tiers.length === 1) return money(tiers[0]!.price, lang);
  return t("offers:price.from", { price: money(minCents, lang) });
}

export function tierRows(tiers: PriceTier[], lang: string, t: T) {
  const number = (n: number) => numberFormat(lang, {}).format(n);
  return tiers.map((tier, i) => ({
    band:
      tier.upTo === null
        ? i === 0
          ? t("offers:price.everyone")
          : t("offers:price.above", { value: number(tiers[i - 1]!.upTo ?? 0) })
        : t("offers:price.upTo", { value: number(tier.upTo) }),
    price: money(tier.price, lang),
  }));
}

const DAY = { year: "numeric", month: "2-digit", day: "2-digit" } as const;
const HUGE = { weekday: "long", day: "numeric", month: "long", year: "numeric" } as const;
const FULL = { day: "numeric", month: "long", year: "numeric" } as const;
const TIME = { hour: "2-digit", minute: "2-digit" } as const;

/** "samedi 12 juillet 2026, de 09:30 à 17:00" or "du 12 juillet 2026 au 19 juillet 2026". */
export function whenLabel(startsAt: Date, endsAt: Date, zone: string, lang: string, t: T): string {
  const day = dateFormat(lang, zone, DAY);
  if (day.format(startsAt) === day.format(endsAt))
    return t("offers:when.sameDay", {
      date: dateFormat(lang, zone, HUGE).format(startsAt),
      start: dateFormat(lang, zone, TIME).format(startsAt),
      end: dateFormat(lang, zone, TIME).format(endsAt),
    });
  const full = dateFormat(lang, zone, FULL);
  return t("offers:when.range", { start: full.format(startsAt), end: full.format(endsAt) });
}

export function dateTimeLabel(date: Date | null, zone: string, lang: string): string {
  if (!date) return "";
  return dateFormat(lang, zone, { ...HUGE, ...TIME }).format(date);
}

export function placesLabel(placesLeft: number, t: T): string {
  return placesLeft > 0 ? t("offers:places.left", { count: placesLeft }) : t("offers:places.full");
}

export function categoryName(c: { nameFr: string; nameEn: string }, lang: string): string {
  return lang === "en" ? c.nameEn : c.nameFr;
}

/** The words every card repeats, translated once per page. */
export function cardLabels(t: T) {
  return {
    when: t("offers:card.when"),
    where: t("offers:card.where"),
    price: t("offers:card.price"),
    places: t("offers:card.places"),
  };
}

/** A translator that remembers, for a page showing the same words on many cards. */
export function memo(t: T): T {
  const seen = new Map<string, string>();
  return (key: string, values?: Record<string, unknown>) => {
    const id = values ? `${key}|${JSON.stringify(values)}` : key;
    let found = seen.get(id);
    if (found === undefined) {
      found = t(key, values);
      seen.set(id, found);
    }
    return found;
  };
}

export function cardView(card: OfferCard, lang: string, t: T) {
  return {
    ...card,
    category: lang === "en" ? card.categoryNameEn : card.categoryNameFr,
    when: whenLabel(card.startsAt, card.endsAt, card.timezone, lang, t),
    where: card.locationKind === "online" ? t("offers:where.online") : card.city,
    price: priceLabel(card.priceTiers, card.minPriceCents, lang, t, card.remote !== null),
    places: placesLabel(card.placesLeft, t),
    full: card.placesLeft <= 0,
    modifier: card.placesLeft <= 0 ? "offer-card offer-card--full" : "offer-card",
    image: card.imageId
      ? `/offers/${card.id}/images/${card.imageId}/card`
      : (card.remoteImage ?? undefined),
    badge: {
      day: dateFormat(lang, card.timezone, { day: "numeric" }).format(card.startsAt),
      month: dateFormat(lang, card.timezone, { month: "short" })
        .format(card.startsAt)
        .replace(".", ""),
    },
    territory: card.remote ? t("offers:card.territory", { name: card.remote.name }) : undefined,
    distance:
      card.distanceKm === null
        ? undefined
        : t("offers:where.distance", { km: Math.max(1, Math.round(card.distanceKm)) }),
  };
}

/**
 * The key of an offer's rendered card (views/offers/partials/card.hbs): the whole card as read
 * (so places left, status, category and territory names, picture are in it, and any field added
 * later too) and the language; the distance as the card rounds it, since it depends on the search.
 */
export function cardKey(card: OfferCard, lang: string): string {
  const km = card.distanceKm === null ? null : Math.max(1, Math.round(card.distanceKm));
  return FragmentCache.key("offer-card", [lang, { ...card, distanceKm: km }]);
}

/**
 * The cards of a page: a card already rendered for the same content comes as its HTML, the
 * others with their words and the key the card partial keeps them under (ADR 0158).
 */
export function cachedCards(
  fragments: FragmentCache,
  cards: readonly OfferCard[],
  lang: string,
  t: T,
): ({ cardHtml: string } | (ReturnType<typeof cardView> & { cardKey: string }))[] {
  return cards.map((card) => {
    if (!fragments.enabled) return { ...cardView(card, lang, t), cardKey: "" };
    const key = cardKey(card, lang);
    const cardHtml = fragments.get(key);
    return cardHtml !== undefined ? { cardHtml } : { ...cardView(card, lang, t), cardKey: key };
  });
}

export function offerView(offer: Offer, lang: string, t: T) {
  return {
    ...offer,
    categoryLabel: categoryName(offer.category, lang),
    organiserLabel: offer.organiser.name,
    when: whenLabel(offer.startsAt, offer.endsAt, offer.timezone, lang, t),
    price: priceLabel(offer.priceTiers, offer.minPriceCents, lang, t, offer.remote !== null),
    tiers: tierRows(offer.priceTiers, lang, t),
    places: placesLabel(offer.placesLeft, t),
    full: offer.placesLeft <= 0,
    opensAt: dateTimeLabel(offer.registrationOpensAt, offer.timezone, lang),
    closesAt: dateTimeLabel(offer.registrationClosesAt ?? offer.startsAt, offer.timezone, lang),
    deadline: dateTimeLabel(offer.cancellationDeadline ?? offer.startsAt, offer.timezone, lang),
    ages:
      offer.minAge !== null && offer.maxAge !== null
        ? t("offers:ages.between", { min: offer.minAge, max: offer.maxAge })
        : offer.minAge !== null
          ? t("offers:ages.from", { min: offer.minAge })
          : offer.maxAge !== null
            ? t("offers:ages.upTo", { max: offer.maxAge })
            : undefined,
    audienceLabels: offer.audiences.map((a) => t(`offers:audiences.${a}`)),
    mapLink:
      offer.latitude !== null && offer.longitude !== null
        ? `https://www.openstreetmap.org/?mlat=${offer.latitude}&mlon=${offer.longitude}#map=15/${offer.latitude}/${offer.longitude}`
        : undefined,
  };
}

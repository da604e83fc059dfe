// The view model of views/partials/map.hbs, shared by every offers list that shows a map: the
// offers with coordinates as markers, or nothing when the instance has no tile server (ADR 0124).
import type { Config } from "../config.ts";
import type { OfferCard } from "./catalogue.repo.ts";

export interface MapView {
  tiles: string;
  attribution: string;
  label: string;
  /** JSON, written into a data attribute (escaped by the template). */
  markers: string;
}

export function mapView(
  config: Pick<Config, "map">,
  cards: readonly OfferCard[],
  label: string,
  href: (card: OfferCard) => string,
): MapView | undefined {
  if (!config.map) return undefined;
  const markers = cards
    .filter((c) => c.latitude !== null && c.longitude !== null)
    .map((c) => ({ lat: c.latitude, lon: c.longitude, title: c.title, href: href(c) }));
  if (markers.length === 0) return undefined;
  return {
    tiles: config.map.tileUrl,
    attribution: config.map.attribution,
    label,
    markers: JSON.stringify(markers),
  };
}

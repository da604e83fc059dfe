// The regions of France and the postal code prefixes of their departments (Corsica: 20; overseas:
// three digits), for the hub calendar's region filter. Generated once from the INSEE division
// (@etalab/decoupage-administratif, Licence Ouverte); regions change rarely and by law.
export interface Region {
  slug: string;
  name: string;
  postalPrefixes: readonly string[];
}

export const REGIONS: readonly Region[] = [
  { slug: "guadeloupe", name: "Guadeloupe", postalPrefixes: ["971"] },
  { slug: "martinique", name: "Martinique", postalPrefixes: ["972"] },
  { slug: "guyane", name: "Guyane", postalPrefixes: ["973"] },
  { slug: "la-reunion", name: "La Réunion", postalPrefixes: ["974"] },
  { slug: "mayotte", name: "Mayotte", postalPrefixes: ["976"] },
  {
    slug: "ile-de-france",
    name: "Île-de-France",
    postalPrefixes: ["75", "77", "78", "91", "92", "93", "94", "95"],
  },
  {
    slug: "centre-val-de-loire",
    name: "Centre-Val de Loire",
    postalPrefixes: ["18", "28", "36", "37", "41", "45"],
  },
  {
    slug: "bourgogne-franche-comte",
    name: "Bourgogne-Franche-Comté",
    postalPrefixes: ["21", "25", "39", "58", "70", "71", "89", "90"],
  },
  { slug: "normandie", name: "Normandie", postalPrefixes: ["14", "27", "50", "61", "76"] },
  {
    slug: "hauts-de-france",
    name: "Hauts-de-France",
    postalPrefixes: ["02", "59", "60", "62", "80"],
  },
  {
    slug: "grand-est",
    name: "Grand Est",
    postalPrefixes: ["08", "10", "51", "52", "54", "55", "57", "67", "68", "88"],
  },
  {
    slug: "pays-de-la-loire",
    name: "Pays de la Loire",
    postalPrefixes: ["44", "49", "53", "72", "85"],
  },
  { slug: "bretagne", name: "Bretagne", postalPrefixes: ["22", "29", "35", "56"] },
  {
    slug: "nouvelle-aquitaine",
    name: "Nouvelle-Aquitaine",
    postalPrefixes: ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"],
  },
  {
    slug: "occitanie",
    name: "Occitanie",
    postalPrefixes: ["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"],
  },
  {
    slug: "auvergne-rhone-alpes",
    name: "Auvergne-Rhône-Alpes",
    postalPrefixes: ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"],
  },
  {
    slug: "provence-alpes-cote-d-azur",
    name: "Provence-Alpes-Côte d'Azur",
    postalPrefixes: ["04", "05", "06", "13", "83", "84"],
  },
  { slug: "corse", name: "Corse", postalPrefixes: ["20"] },
];

export const regionBySlug = (slug: string): Region | undefined =>
  REGIONS.find((r) => r.slug === slug);

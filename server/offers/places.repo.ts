// "Près de": a postal code, or a commune however it is typed — any case, with or without
// accents and hyphens, "st"/"ste" for "saint"/"sainte" — and Paris, Lyon and Marseille, whose
// postal data only knows their arrondissements.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { PostalPlace } from "./offers.repo.ts";

/** The comparison key of a commune name: "Saint-Étienne" and "st etienne" give "st etienne". */
export function communeKey(name: string): string {
  return name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .replace(/\bsainte\b/g, "ste")
    .replace(/\bsaint\b/g, "st")
    .trim();
}

// The same key computed in SQL over the table (6,000 rows: a scan is a millisecond).
const COLUMN_KEY = sql<string>`btrim(regexp_replace(regexp_replace(regexp_replace(lower(unaccent(commune)), '[^a-z0-9]+', ' ', 'g'), '\\msainte\\M', 'ste', 'g'), '\\msaint\\M', 'st', 'g'))`;

const CITIES: Record<string, { name: string; centre: string }> = {
  paris: { name: "Paris", centre: "75004" },
  lyon: { name: "Lyon", centre: "69002" },
  marseille: { name: "Marseille", centre: "13001" },
};
const DISTRICT =
  /^(paris|lyon|marseille)(?: (\d{1,2})(?: ?(?:er|e|eme|ème))?)?(?: arrondissement)?$/;

/** A postal code ("38000"), or a commune ("Grenoble", "st etienne", "Paris 15e"). */
export async function findPostalPlace(db: Db, query: string): Promise<PostalPlace | undefined> {
  const text = query.trim();
  if (text === "") return undefined;
  const code = text.replace(/\s+/g, "");
  const rows = db.selectFrom("postal_codes").selectAll();
  if (/^\d[0-9AB]\d{3}$/i.test(code))
    return rows.where("code", "=", code.toUpperCase()).limit(1).executeTakeFirst();
  const key = communeKey(text);
  const district = DISTRICT.exec(key);
  if (district) {
    const city = CITIES[district[1]!]!;
    const n = Number(district[2] ?? 0);
    if (n > 0) {
      const commune = `${city.name} ${n}${n === 1 ? "er" : "e"} Arrondissement`;
      const found = await rows
        .where("commune", "=", commune)
        .orderBy("code")
        .limit(1)
        .executeTakeFirst();
      if (found) return found;
    } else {
      const found = await rows.where("code", "=", city.centre).executeTakeFirst();
      if (found) return { ...found, commune: city.name };
    }
  }
  return rows.where(COLUMN_KEY, "=", key).orderBy("code").limit(1).executeTakeFirst();
}

import crypto from "node:crypto";
import type { Db } from "../db/database.ts";
import type { RegistrationMode } from "./instance.tables.ts";

export interface InstanceSettings {
  name: string;
  description: string;
  territory: string;
  contactEmail: string;
  hasLogo: boolean;
  accentColor: string;
  registrationMode: RegistrationMode;
  sessionSecret: string;
  updatedAt: Date;
}

export async function readSettings(db: Db): Promise<InstanceSettings | undefined> {
  const row = await db
    .selectFrom("instance_settings")
    .select([
      "name",
      "description",
      "territory",
      "contact_email",
      "accent_color",
      "registration_mode",
      "session_secret",
      "updated_at",
      (eb) => eb("logo", "is not", null).as("has_logo"),
    ])
    .where("id", "=", 1)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    name: row.name,
    description: row.description,
    territory: row.territory,
    contactEmail: row.contact_email,
    hasLogo: Boolean(row.has_logo),
    accentColor: row.accent_color,
    registrationMode: row.registration_mode,
    sessionSecret: row.session_secret,
    updatedAt: row.updated_at,
  };
}

export async function insertDefaultSettings(db: Db, name: string): Promise<void> {
  await db
    .insertInto("instance_settings")
    .values({ id: 1, name, session_secret: crypto.randomBytes(32).toString("base64url") })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
}

export interface SettingsUpdate {
  name: string;
  description: string;
  territory: string;
  contactEmail: string;
  accentColor: string;
  registrationMode: RegistrationMode;
  logo?: { data: Buffer; type: string } | null;
}

export async function updateSettings(db: Db, update: SettingsUpdate): Promise<void> {
  await db
    .updateTable("instance_settings")
    .set({
      name: update.name,
      description: update.description,
      territory: update.territory,
      contact_email: update.contactEmail,
      accent_color: update.accentColor,
      registration_mode: update.registrationMode,
      updated_at: new Date(),
      ...(update.logo === undefined
        ? {}
        : { logo: update.logo?.data ?? null, logo_type: update.logo?.type ?? null }),
    })
    .where("id", "=", 1)
    .execute();
}

export async function readLogo(db: Db): Promise<{ data: Buffer; type: string } | undefined> {
  const row = await db
    .selectFrom("instance_settings")
    .select(["logo", "logo_type"])
    .where("id", "=", 1)
    .executeTakeFirst();
  if (!row?.logo || !row.logo_type) return undefined;
  return { data: Buffer.from(row.logo), type: row.logo_type };
}

export async function listSlvies(db: Db): Promise<{ id: string; name: string }[]> {
  return db.selectFrom("slvies").select(["id", "name"]).orderBy("name").execute();
}

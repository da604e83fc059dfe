// A fresh database per test instance: a new PostgreSQL database when DATABASE_URL is set, an
// in-memory PGlite otherwise.
import crypto from "node:crypto";
import pg from "pg";
import { DATABASE_URL } from "./env.ts";

const created: string[] = [];

export async function freshDatabaseUrl(): Promise<string | undefined> {
  if (!DATABASE_URL) return undefined;
  const name = `maillage_t_${crypto.randomBytes(5).toString("hex")}`;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  created.push(name);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  return url.href;
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!DATABASE_URL || !/^maillage_t_[0-9a-f]+$/.test(name)) return;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}

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
    // pg's Pool.end() resolves once it has asked its connections to close, not once they have:
    // under load their backends linger for a moment. Forcing the drop then would kill them and
    // make the closing clients report an error, so wait for them to leave first.
    for (let i = 0; i < 100; i++) {
      const left = await client.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = $1",
        [name],
      );
      if (left.rows[0]!.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}

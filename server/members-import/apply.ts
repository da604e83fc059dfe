// Applies a batch of checked lines to the members' records. A member number is the key: a line
// whose number is known updates its record (and the family member it made); an unknown one
// creates the record and either an account (a line with an e-mail; an existing account with that
// address is linked instead) or a family member of its household's holder. A dry run reads the
// same rows and writes nothing.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import { RESERVED_USERNAMES } from "../accounts/handles.ts";
import type { LineError, MemberRow } from "./members-csv.ts";
import type { MemberChange } from "./members-import.tables.ts";

export interface BatchOutcome {
  created: number;
  updated: number;
  unchanged: number;
  errors: LineError[];
  changes: MemberChange[];
}

/** Across batches of one run: holders known to exist (or, in a dry run, to be created). */
export interface RunState {
  dryRun: boolean;
  /** Member number → user id of households' holders created in this run ("" in a dry run). */
  holders: Map<string, string>;
}

// An account created by the import has no password until its member follows the invitation
// (a password-reset link); argon2 refuses to verify against this value, so no password matches.
const NO_PASSWORD = "!imported";

const COMPARED = [
  ["lastName", "last_name"],
  ["firstName", "first_name"],
  ["email", "email"],
  ["birthYear", "birth_year"],
  ["household", "household"],
  ["relation", "relation"],
] as const;

function slug(row: Pick<MemberRow, "firstName" | "lastName">): string {
  const base = `${row.firstName}_${row.lastName}`
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 24);
  return base.length >= 3 ? base : `membre_${base}`.slice(0, 24);
}

/** Free usernames for new accounts: the name, then the name and a short random suffix. */
export async function usernames(
  db: Db,
  rows: Pick<MemberRow, "firstName" | "lastName">[],
): Promise<string[]> {
  const chosen = rows.map(slug);
  for (let round = 0; ; round++) {
    const taken = new Set<string>();
    const candidates = [...new Set(chosen)];
    const users = await db
      .selectFrom("users")
      .select(sql<string>`lower(username)`.as("name"))
      .where(sql<string>`lower(username)`, "in", candidates)
      .execute();
    const groups = await db
      .selectFrom("forum_groups")
      .select("slug as name")
      .where("host", "is", null)
      .where("slug", "in", candidates)
      .execute();
    for (const { name } of [...users, ...groups]) taken.add(name);
    const seen = new Set<string>();
    let clash = false;
    chosen.forEach((name, i) => {
      if (taken.has(name) || RESERVED_USERNAMES.has(name) || seen.has(name)) {
        clash = true;
        const suffix = Math.random()
          .toString(36)
          .slice(2, 2 + 4 + Math.min(round, 4));
        chosen[i] = `${slug(rows[i]!).slice(0, 24)}_${suffix}`;
      }
      seen.add(chosen[i]!);
    });
    if (!clash) return chosen;
  }
}

export async function applyBatch(
  db: Db,
  rows: MemberRow[],
  state: RunState,
): Promise<BatchOutcome> {
  const out: BatchOutcome = { created: 0, updated: 0, unchanged: 0, errors: [], changes: [] };
  if (rows.length === 0) return out;
  const existing = new Map(
    (
      await db
        .selectFrom("member_records")
        .selectAll()
        .where(
          "member_number",
          "in",
          rows.map((r) => r.memberNumber),
        )
        .execute()
    ).map((r) => [r.member_number, r]),
  );
  const fresh: MemberRow[] = [];
  for (const row of rows) {
    const record = existing.get(row.memberNumber);
    if (!record) {
      fresh.push(row);
      continue;
    }
    const fields = COMPARED.filter(([a, b]) => row[a] !== record[b]).map(([a]) => a);
    if (fields.length === 0) {
      out.unchanged++;
      continue;
    }
    out.updated++;
    out.changes.push({ line: row.line, memberNumber: row.memberNumber, fields });
    if (state.dryRun) continue;
    await db
      .updateTable("member_records")
      .set({
        last_name: row.lastName,
        first_name: row.firstName,
        email: row.email,
        birth_year: row.birthYear,
        household: row.household,
        relation: row.relation,
        updated_at: new Date(),
      })
      .where("member_number", "=", row.memberNumber)
      .execute();
    if (record.family_member_id) {
      const holder = row.household ? await holderOf(db, row.household, state) : undefined;
      await db
        .updateTable("family_members")
        .set({
          first_name: row.firstName,
          birth_year: row.birthYear,
          relation: row.relation ?? "other",
          ...(holder ? { user_id: holder } : {}),
        })
        .where("id", "=", record.family_member_id)
        .execute();
    }
  }
  await createAccounts(
    db,
    fresh.filter((r) => r.email),
    state,
    out,
  );
  await createFamilyMembers(
    db,
    fresh.filter((r) => !r.email),
    state,
    out,
  );
  return out;
}

async function holderOf(db: Db, household: string, state: RunState): Promise<string | undefined> {
  const known = state.holders.get(household);
  if (known !== undefined) return known;
  const record = await db
    .selectFrom("member_records")
    .select("user_id")
    .where("member_number", "=", household)
    .executeTakeFirst();
  return record?.user_id ?? undefined;
}

async function createAccounts(
  db: Db,
  rows: MemberRow[],
  state: RunState,
  out: BatchOutcome,
): Promise<void> {
  if (rows.length === 0) return;
  const owners = await db
    .selectFrom("users")
    .leftJoin("member_records", "member_records.user_id", "users.id")
    .select([
      sql<string>`lower(users.email)`.as("email"),
      "users.id",
      "member_records.member_number",
    ])
    .where(
      sql<string>`lower(users.email)`,
      "in",
      rows.map((r) => r.email!),
    )
    .execute();
  const byEmail = new Map(owners.map((o) => [o.email, o]));
  const toCreate: MemberRow[] = [];
  const records: { row: MemberRow; userId: string | null }[] = [];
  for (const row of rows) {
    const owner = byEmail.get(row.email!);
    if (owner?.member_number) {
      out.errors.push({
        line: row.line,
        field: "email",
        key: "errors.emailTaken",
        memberNumber: row.memberNumber,
      });
    } else if (owner) records.push({ row, userId: owner.id });
    else toCreate.push(row);
  }
  if (state.dryRun) {
    for (const { row } of records) state.holders.set(row.memberNumber, "");
    for (const row of toCreate) state.holders.set(row.memberNumber, "");
    out.created += records.length + toCreate.length;
    return;
  }
  if (toCreate.length > 0) {
    const names = await usernames(db, toCreate);
    const created = await db
      .insertInto("users")
      .values(
        toCreate.map((row, i) => ({
          email: row.email!,
          password_hash: NO_PASSWORD,
          username: names[i]!,
          display_name: `${row.firstName} ${row.lastName}`,
          notification_prefs: "{}",
        })),
      )
      .returning(["id", "email"])
      .execute();
    const ids = new Map(created.map((u) => [u.email.toLowerCase(), u.id]));
    for (const row of toCreate) records.push({ row, userId: ids.get(row.email!)! });
  }
  if (records.length === 0) return;
  await db
    .insertInto("member_records")
    .values(records.map(({ row, userId }) => ({ ...recordValues(row), user_id: userId })))
    .execute();
  for (const { row, userId } of records) state.holders.set(row.memberNumber, userId!);
  out.created += records.length;
}

async function createFamilyMembers(
  db: Db,
  rows: MemberRow[],
  state: RunState,
  out: BatchOutcome,
): Promise<void> {
  for (const row of rows) {
    const holder = await holderOf(db, row.household!, state);
    if (holder === undefined) {
      out.errors.push({
        line: row.line,
        field: "household",
        key: "errors.householdUnknown",
        memberNumber: row.memberNumber,
      });
      continue;
    }
    out.created++;
    if (state.dryRun) continue;
    const family = await db
      .insertInto("family_members")
      .values({
        user_id: holder,
        first_name: row.firstName,
        relation: row.relation ?? "other",
        birth_year: row.birthYear,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("member_records")
      .values({ ...recordValues(row), family_member_id: family.id })
      .execute();
  }
}

function recordValues(row: MemberRow) {
  return {
    member_number: row.memberNumber,
    last_name: row.lastName,
    first_name: row.firstName,
    email: row.email,
    birth_year: row.birthYear,
    household: row.household,
    relation: row.relation,
  };
}

// Reading the members list: a CSV file with a header row, as exported by a spreadsheet (comma or
// semicolon, optional BOM, quoted fields), checked line by line. Nothing here touches the
// database: the preview and the import job both start from `readMembersCsv`.
import type { Relation } from "../accounts/accounts.tables.ts";

export interface MemberRow {
  /** Line number in the file (the header is line 1). */
  line: number;
  memberNumber: string;
  lastName: string;
  firstName: string;
  email: string | null;
  birthYear: number;
  /** Member number of the household's holder; null for the holder. */
  household: string | null;
  relation: Relation | null;
}

export type MemberField =
  "memberNumber" | "lastName" | "firstName" | "email" | "birthYear" | "household" | "relation";

export interface LineError {
  line: number;
  field: MemberField | "file";
  /** Message key in the members-import catalogue. */
  key: string;
  memberNumber?: string;
}

export interface ReadResult {
  rows: MemberRow[];
  errors: LineError[];
  /** Data lines in the file (blank lines excluded). */
  total: number;
}

const HEADERS: Record<string, MemberField> = {
  numero_adherent: "memberNumber",
  numero: "memberNumber",
  nia: "memberNumber",
  member_number: "memberNumber",
  nom: "lastName",
  last_name: "lastName",
  prenom: "firstName",
  first_name: "firstName",
  email: "email",
  e_mail: "email",
  courriel: "email",
  annee_naissance: "birthYear",
  birth_year: "birthYear",
  foyer: "household",
  household: "household",
  lien: "relation",
  relation: "relation",
};

const RELATIONS: Record<string, Relation> = {
  spouse: "spouse",
  conjoint: "spouse",
  conjointe: "spouse",
  child: "child",
  enfant: "child",
  parent: "parent",
  other: "other",
  autre: "other",
};

const MEMBER_NUMBER = /^[A-Za-z0-9-]{1,20}$/;
// The same shape as the sign-up form's check: something@domain.tld, no spaces.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function plain(value: string): string {
  return value
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .trim()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
}

/** Splits CSV text into records (RFC 4180: quotes, doubled quotes, line breaks inside quotes). */
export function parseCsv(text: string, delimiter: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

function detectDelimiter(firstLine: string): string {
  const semicolons = firstLine.split(";").length;
  const commas = firstLine.split(",").length;
  return semicolons > commas ? ";" : ",";
}

/** Reads and checks the whole file; rows with an error are left out of `rows`. */
export function readMembersCsv(text: string): ReadResult {
  const body = text.replace(/^\uFEFF/, "");
  const records = parseCsv(body, detectDelimiter(body.split(/\r?\n/, 1)[0] ?? ""));
  const header = records[0];
  if (!header)
    return { rows: [], errors: [{ line: 1, field: "file", key: "errors.empty" }], total: 0 };
  const columns = header.map((name) => HEADERS[plain(name)]);
  for (const required of ["memberNumber", "lastName", "firstName", "birthYear"] as const) {
    if (!columns.includes(required))
      return {
        rows: [],
        errors: [{ line: 1, field: required, key: "errors.missingColumn" }],
        total: 0,
      };
  }
  const rows: MemberRow[] = [];
  const errors: LineError[] = [];
  const numbers = new Set<string>();
  const emails = new Set<string>();
  let total = 0;
  const thisYear = new Date().getUTCFullYear();
  records.slice(1).forEach((record, index) => {
    const line = index + 2;
    if (record.every((v) => v.trim() === "")) return;
    total++;
    const get = (field: MemberField) => {
      const at = columns.indexOf(field);
      return at < 0 ? "" : (record[at] ?? "").trim();
    };
    const memberNumber = get("memberNumber").toUpperCase();
    const fail = (field: MemberField, key: string) =>
      errors.push({ line, field, key, ...(memberNumber ? { memberNumber } : {}) });
    if (!MEMBER_NUMBER.test(memberNumber)) return fail("memberNumber", "errors.memberNumber");
    if (numbers.has(memberNumber)) return fail("memberNumber", "errors.duplicateNumber");
    numbers.add(memberNumber);
    const lastName = get("lastName");
    const firstName = get("firstName");
    if (!lastName || lastName.length > 80) return fail("lastName", "errors.name");
    if (!firstName || firstName.length > 80) return fail("firstName", "errors.name");
    const email = get("email").toLowerCase() || null;
    if (email && (email.length > 254 || !EMAIL.test(email))) return fail("email", "errors.email");
    if (email && emails.has(email)) return fail("email", "errors.duplicateEmail");
    const birthYear = Number(get("birthYear"));
    if (!/^\d{4}$/.test(get("birthYear")) || birthYear < 1900 || birthYear > thisYear)
      return fail("birthYear", "errors.birthYear");
    let household: string | null = get("household").toUpperCase() || null;
    if (household === memberNumber) household = null;
    if (household && !MEMBER_NUMBER.test(household)) return fail("household", "errors.household");
    const relationText = plain(get("relation"));
    const relation = relationText ? RELATIONS[relationText] : null;
    if (relation === undefined) return fail("relation", "errors.relation");
    if (!email && !household) return fail("email", "errors.emailOrHousehold");
    if (email) emails.add(email);
    rows.push({ line, memberNumber, lastName, firstName, email, birthYear, household, relation });
  });
  if (total === 0) errors.push({ line: 1, field: "file", key: "errors.empty" });
  return { rows, errors, total };
}

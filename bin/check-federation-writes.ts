// `npm run check:layers`: federation/ writes only its own tables (ADR 0062). The tables it owns
// are the ones federation/federation.tables.ts declares; every other write goes through the
// domain's services. Read with the TypeScript compiler: Kysely's insertInto, updateTable,
// deleteFrom, replaceInto and mergeInto, and INSERT, UPDATE, DELETE and MERGE in `sql` templates
// and `sql.raw(…)`. A table named by an expression cannot be checked, so it is refused too.
//   node bin/check-federation-writes.ts [<root>]   (root: the checkout, by default the current folder)
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

const KYSELY_WRITES = new Set([
  "insertInto",
  "updateTable",
  "deleteFrom",
  "replaceInto",
  "mergeInto",
]);
const SQL_WRITES = [
  /\binsert\s+into\s+"?([a-z_][a-z0-9_]*)/gi,
  /\bdelete\s+from\s+"?([a-z_][a-z0-9_]*)/gi,
  /\bmerge\s+into\s+"?([a-z_][a-z0-9_]*)/gi,
  // `update <table> set`, not `do update set` nor `for update`.
  /\bupdate\s+"?([a-z_][a-z0-9_]*)"?\s+(?:as\s+\w+\s+)?set\b/gi,
];

export interface Violation {
  file: string;
  line: number;
  message: string;
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
}

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

/** The tables federation/federation.tables.ts declares (the keys of its interfaces). */
export function ownTables(root: string): Set<string> {
  const tables = new Set<string>();
  walk(parse(path.join(root, "federation", "federation.tables.ts")), (node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    for (const member of node.members)
      if (ts.isPropertySignature(member) && member.name && !ts.isComputedPropertyName(member.name))
        tables.add(member.name.text);
  });
  return tables;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** The text of a template or string literal (interpolations count as a blank). */
function literalText(node: ts.Node): string | undefined {
  if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isStringLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node))
    return [node.head.text, ...node.templateSpans.map((span) => ` ? ${span.literal.text}`)].join(
      "",
    );
  return undefined;
}

const isSql = (node: ts.Node) => ts.isIdentifier(node) && node.text === "sql";

export function checkFederationWrites(root: string): Violation[] {
  const own = ownTables(root);
  const violations: Violation[] = [];
  for (const file of sourceFiles(path.join(root, "federation"))) {
    const source = parse(file);
    const report = (node: ts.Node, message: string) =>
      violations.push({
        file: path.relative(root, file),
        line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
        message,
      });
    const checkSql = (node: ts.Node, text: string) => {
      for (const pattern of SQL_WRITES)
        for (const match of text.matchAll(pattern)) {
          const table = match[1]!.toLowerCase();
          if (!own.has(table))
            report(node, `SQL writes "${table}", a table federation does not own`);
        }
    };
    walk(source, (node) => {
      if (ts.isTaggedTemplateExpression(node) && isSql(node.tag)) {
        checkSql(node, literalText(node.template) ?? "");
        return;
      }
      if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return;
      const method = node.expression.name.text;
      if (method === "raw" && isSql(node.expression.expression)) {
        const text = node.arguments[0] && literalText(node.arguments[0]);
        if (text === undefined) report(node, "sql.raw with a computed text cannot be checked");
        else checkSql(node, text);
        return;
      }
      if (!KYSELY_WRITES.has(method)) return;
      const argument = node.arguments[0];
      const text = argument && literalText(argument);
      if (text === undefined) {
        report(node, `${method} with a computed table name cannot be checked`);
        return;
      }
      // "offers as o": the table is the first word.
      const table = text.trim().split(/\s+/)[0]!;
      if (!own.has(table))
        report(node, `${method}("${table}"): a table federation does not own (call its service)`);
    });
  }
  return violations;
}

if (import.meta.main) {
  const root = path.resolve(process.argv[2] ?? ".");
  const violations = checkFederationWrites(root);
  for (const v of violations) process.stderr.write(`${v.file}:${v.line}: ${v.message}\n`);
  if (violations.length > 0) {
    process.stderr.write(
      `\n${violations.length} write(s) of domain tables in federation/: ` +
        "federation writes only the tables of federation/federation.tables.ts (ADR 0062).\n",
    );
    process.exit(1);
  }
  process.stdout.write(
    `federation/ writes only its own tables (${ownTables(root).size} declared).\n`,
  );
}

// Real-world payloads live beside the checkout, in ../shared/fixtures (never copied into the
// project). In a git worktree, "beside the checkout" is beside the main repository.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function mainCheckout(): string | undefined {
  const dotGit = path.join(repoRoot, ".git");
  if (!fs.existsSync(dotGit) || fs.statSync(dotGit).isDirectory()) return undefined;
  const gitdir = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(dotGit, "utf8"))?.[1];
  // <main>/.git/worktrees/<name>
  return gitdir ? path.resolve(gitdir.trim(), "../../..") : undefined;
}

/** The folder of shared fixtures `sub`, or undefined when it is absent (tests then skip). */
export function fixturesDir(sub: string): string | undefined {
  const roots = [repoRoot, mainCheckout()].filter((r): r is string => r !== undefined);
  return roots
    .map((root) => path.resolve(root, "../shared/fixtures", sub))
    .find((dir) => fs.existsSync(dir));
}

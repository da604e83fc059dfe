// Fingerprinted static files (ADR 0150, ADR 0142): pages link `/static/v/<hash>/<file>`, where the
// hash is of the file's content, so that browsers may keep it for a year without asking again; a
// new version of the file has a new address. `/static/<file>` still answers, cached for an hour.
// A module's own folder of static files (a plugin's stylesheet) is served the same way under
// `/static/v/<hash>/<module>/<file>` and `/static/<module>/<file>`.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import express from "express";
import { VIEWS_DIR } from "../i18n/i18n.ts";

const STATIC_DIR = path.join(VIEWS_DIR, "static");
const YEAR_SECONDS = 31_536_000;
const HOUR_MS = 3600_000;

/**
 * The content hash of each file, by its path under /static/ (`maillage.css`, `sel/sel.css`):
 * views/static's read once, a module's folder when an app is built (files change with a release).
 */
const hashes = new Map<string, string>();

function hashFolder(dir: string, prefix: string): void {
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile()) continue;
    const hash = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    hashes.set(`${prefix}${name}`, hash.slice(0, 12));
  }
}
hashFolder(STATIC_DIR, "");

/** The fingerprinted address of `/static/<file>`; any other address is returned as it is. */
export function assetUrl(href: string): string {
  if (!href.startsWith("/static/")) return href;
  const hash = hashes.get(href.slice("/static/".length));
  return hash ? `/static/v/${hash}/${href.slice("/static/".length)}` : href;
}

/** Sends `file` of `root`: for a year at today's hash, for an hour at any other. */
function sendVersioned(
  res: express.Response,
  next: express.NextFunction,
  root: string,
  file: string,
  immutable: boolean,
): void {
  res.sendFile(
    file,
    { root, dotfiles: "deny", immutable, maxAge: immutable ? YEAR_SECONDS * 1000 : HOUR_MS },
    (error) => {
      if (error) next(error);
    },
  );
}

export function assetRoutes(): express.Router {
  const router = express.Router();
  router.get("/static/v/:hash/:file", (req, res, next) => {
    const { hash, file } = req.params;
    const current = hashes.get(file);
    if (!current) return next();
    // An old address (a page cached before a release) gets today's file, but not for a year.
    sendVersioned(res, next, STATIC_DIR, file, current === hash);
  });
  return router;
}

/**
 * A module's folder of static files (its files, not its subfolders), hashed now: served under
 * `/static/<module>/` for an hour and under `/static/v/<hash>/<module>/` for a year, and linked
 * by `assetUrl("/static/<module>/<file>")`. A file of a subfolder (the pictures a stylesheet
 * names by a relative address, as Leaflet's does) also answers under the stylesheet's versioned
 * address, for an hour: that hash is not its own.
 */
export function moduleAssetRoutes(module: string, dir: string): express.Router {
  for (const key of [...hashes.keys()]) if (key.startsWith(`${module}/`)) hashes.delete(key);
  hashFolder(dir, `${module}/`);
  const router = express.Router();
  router.get(`/static/v/:hash/${module}/:file`, (req, res, next) => {
    const { hash, file } = req.params;
    const current = hashes.get(`${module}/${file}`);
    if (!current) return next();
    sendVersioned(res, next, dir, file, current === hash);
  });
  router.get(`/static/v/:hash/${module}/:folder/:file`, (req, res, next) => {
    const { folder, file } = req.params;
    if (!/^[\w-]+$/.test(folder) || !/^[\w.-]+$/.test(file) || file.startsWith(".")) return next();
    sendVersioned(res, next, dir, path.join(folder, file), false);
  });
  router.use(`/static/${module}`, express.static(dir, { maxAge: HOUR_MS, index: false }));
  return router;
}

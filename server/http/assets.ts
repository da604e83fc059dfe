// Fingerprinted static files (ADR 0150): pages link `/static/v/<hash>/<file>`, where the hash is
// of the file's content, so that browsers may keep it for a year without asking again; a new
// version of the file has a new address. `/static/<file>` still answers, cached for an hour.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import express from "express";
import { VIEWS_DIR } from "../i18n/i18n.ts";

const STATIC_DIR = path.join(VIEWS_DIR, "static");
const YEAR_SECONDS = 31_536_000;

/** The content hash of each file of views/static, read once (files change with a release). */
const hashes = new Map<string, string>();
for (const name of fs.readdirSync(STATIC_DIR)) {
  const file = path.join(STATIC_DIR, name);
  if (!fs.statSync(file).isFile()) continue;
  const hash = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  hashes.set(name, hash.slice(0, 12));
}

/** The fingerprinted address of `/static/<file>`; any other address is returned as it is. */
export function assetUrl(href: string): string {
  if (!href.startsWith("/static/")) return href;
  const hash = hashes.get(href.slice("/static/".length));
  return hash ? `/static/v/${hash}/${href.slice("/static/".length)}` : href;
}

export function assetRoutes(): express.Router {
  const router = express.Router();
  router.get("/static/v/:hash/:file", (req, res, next) => {
    const { hash, file } = req.params;
    const current = hashes.get(file);
    if (!current) return next();
    // An old address (a page cached before a release) gets today's file, but not for a year.
    const immutable = current === hash;
    res.sendFile(
      file,
      {
        root: STATIC_DIR,
        dotfiles: "deny",
        immutable,
        maxAge: immutable ? YEAR_SECONDS * 1000 : 3600_000,
      },
      (error) => {
        if (error) next(error);
      },
    );
  });
  return router;
}

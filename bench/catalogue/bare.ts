// Child process of the catalogue benchmark: the baseline, a bare Express app returning static
// bodies of the same sizes as the pages under test. Prints {"url": …} once listening.
//   node bench/catalogue/bare.ts <html bytes> <json bytes>
import type { AddressInfo } from "node:net";
import express from "express";

const [htmlBytes = "0", jsonBytes = "0"] = process.argv.slice(2);
const html = `<!doctype html><html lang="fr"><title>x</title><body>${"x".repeat(Math.max(0, Number(htmlBytes) - 60))}</body></html>`;
const json = JSON.stringify({ items: "x".repeat(Math.max(0, Number(jsonBytes) - 13)) });
const app = express();
app.disable("x-powered-by");
app.get("/html", (_req, res) => res.type("html").send(html));
app.get("/json", (_req, res) => res.type("json").send(json));
const server = app.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

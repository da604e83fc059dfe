// GET /metrics for Prometheus: answered to a bearer token (METRICS_TOKEN) or to an address of
// METRICS_ALLOW (loopback by default). Anyone else gets 404, so the endpoint does not advertise
// itself (ADR 0090).
import crypto from "node:crypto";
import http from "node:http";
import net from "node:net";
import type express from "express";
import type { AppContext } from "../context.ts";
import { metricsOf, type Metrics } from "./metrics.ts";

export function allowList(entries: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const family = net.isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

function addressAllowed(list: net.BlockList, address: string | undefined): boolean {
  if (!address) return false;
  // An IPv4 client seen through an IPv6 socket.
  const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
  const family = net.isIP(plain);
  if (family === 0) return false;
  return list.check(plain, family === 6 ? "ipv6" : "ipv4");
}

function tokenMatches(expected: string | undefined, header: string | undefined): boolean {
  if (!expected || !header?.startsWith("Bearer ")) return false;
  const given = crypto.createHash("sha256").update(header.slice(7).trim()).digest();
  const wanted = crypto.createHash("sha256").update(expected).digest();
  return crypto.timingSafeEqual(given, wanted);
}

export function metricsGuard(ctx: AppContext) {
  const list = allowList(ctx.config.metrics.allow);
  return (address: string | undefined, authorization: string | undefined): boolean =>
    tokenMatches(ctx.config.metrics.token, authorization) || addressAllowed(list, address);
}

async function answer(metrics: Metrics, res: http.ServerResponse): Promise<void> {
  const body = await metrics.registry.metrics();
  res.writeHead(200, { "Content-Type": metrics.registry.contentType, "Cache-Control": "no-store" });
  res.end(body);
}

export function metricsRoutes(router: express.Router, ctx: AppContext): void {
  const allowed = metricsGuard(ctx);
  router.get("/metrics", async (req, res, next) => {
    // req.ip follows TRUST_PROXY: behind the proxy it is the client's address, not the proxy's.
    if (!allowed(req.ip, req.get("authorization"))) return next();
    await answer(metricsOf(ctx), res);
  });
}

/** Worker processes have no web server: METRICS_PORT gives them one that only answers /metrics. */
export async function startMetricsServer(ctx: AppContext, port: number): Promise<http.Server> {
  const allowed = metricsGuard(ctx);
  const server = http.createServer((req, res) => {
    const ok =
      req.method === "GET" &&
      req.url === "/metrics" &&
      allowed(req.socket.remoteAddress, req.headers.authorization);
    if (!ok) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found\n");
      return;
    }
    answer(metricsOf(ctx), res).catch((error: unknown) => {
      ctx.log.warn({ err: error }, "metrics failed");
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, ctx.config.host, () => resolve());
  });
  return server;
}

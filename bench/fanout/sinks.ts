// The fan-out benchmark's receiving servers, in a process of their own (as the peers of a real
// fan-out are other machines): `count` HTTP servers on 127.0.0.1 answering 202 to every POST,
// counting each inbox once. The parent asks for the count over IPC.
import http from "node:http";
import type { AddressInfo } from "node:net";

const count = Number(process.argv[2] ?? "20");
let received = 0;
let lastAt = 0;
const seen = new Set<string>();

const servers = await Promise.all(
  Array.from({ length: count }, async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.method === "POST" && !seen.has(`${req.headers.host}${req.url}`)) {
          seen.add(`${req.headers.host}${req.url}`);
          received++;
          lastAt = performance.timeOrigin + performance.now();
        }
        res.writeHead(202).end();
      });
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return server;
  }),
);

process.on("message", (message: string) => {
  if (message === "count") process.send!({ received, lastAt, cpu: process.cpuUsage() });
  if (message === "stop") {
    for (const server of servers) server.close();
    process.exit(0);
  }
});
process.send!({ hosts: servers.map((s) => `127.0.0.1:${(s.address() as AddressInfo).port}`) });
// Never outlive the benchmark.
process.on("disconnect", () => process.exit(0));

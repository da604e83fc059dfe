// Debian's nginx as an unprivileged child process, with the repository's deploy/nginx.conf: its
// directives as they are, only the listening ports, the certificate files and the upstream
// servers moved onto this test's loopback ports and temporary files. Prefix, pid, logs and
// temporary folders live under a temporary directory.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { accepting, REPO_ROOT } from "./processes.ts";

export const NGINX = "/usr/sbin/nginx";
export const DEPLOY_CONF = path.join(REPO_ROOT, "deploy/nginx.conf");

export interface NginxPorts {
  http: number;
  https: number;
  upstreams: number[];
}

/**
 * deploy/nginx.conf for this test: ports, certificate and upstream servers replaced; every other
 * line kept. Throws when a line it expects to move is missing, so that a change of the real
 * file fails here rather than being tested on something else.
 */
export function adaptDeployConf(
  text: string,
  ports: NginxPorts,
  cert: { certificate: string; key: string },
): string {
  const replace = (pattern: RegExp, by: string) => {
    if (!pattern.test(text)) throw new Error(`deploy/nginx.conf: no line matches ${pattern}`);
    text = text.replace(pattern, by);
  };
  const servers = ports.upstreams.map((port) => `server 127.0.0.1:${port};`).join("\n    ");
  replace(/^\s*server 127\.0\.0\.1:3000;.*$/m, `    ${servers}`);
  replace(/^\s*# server 127\.0\.0\.1:3001;.*\n/m, "");
  replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${ports.http};`);
  replace(/^\s*listen \[::\]:80;\n/m, "");
  replace(/^(\s*)listen 443 ssl( http2)?;$/m, `$1listen 127.0.0.1:${ports.https} ssl$2;`);
  replace(/^\s*listen \[::\]:443 ssl( http2)?;\n/m, "");
  replace(/^(\s*)ssl_certificate\s+\S+;$/m, `$1ssl_certificate     ${cert.certificate};`);
  replace(/^(\s*)ssl_certificate_key\s+\S+;$/m, `$1ssl_certificate_key ${cert.key};`);
  return text;
}

export interface RunningNginx {
  dir: string;
  ports: NginxPorts;
  errorLog(): string;
  reload(): void;
  stop(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl. */
export function testCertificate(dir: string): { certificate: string; key: string; pem: string } {
  const certificate = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"],
      ...["-keyout", key, "-out", certificate, "-subj", "/CN=localhost"],
      ...["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
    ],
    { stdio: "ignore" },
  );
  return { certificate, key, pem: fs.readFileSync(certificate, "utf8") };
}

export async function startNginx(ports: NginxPorts): Promise<RunningNginx> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-nginx-"));
  fs.chmodSync(dir, 0o755);
  for (const sub of ["logs", "temp"]) fs.mkdirSync(path.join(dir, sub));
  const cert = testCertificate(dir);
  const site = adaptDeployConf(fs.readFileSync(DEPLOY_CONF, "utf8"), ports, cert);
  fs.writeFileSync(path.join(dir, "site.conf"), site);
  const temp = (name: string) => path.join(dir, "temp", name);
  fs.writeFileSync(
    path.join(dir, "nginx.conf"),
    [
      "worker_processes 1;",
      `pid ${path.join(dir, "nginx.pid")};`,
      `error_log ${path.join(dir, "logs/error.log")} notice;`,
      "events { worker_connections 256; }",
      "http {",
      `  access_log ${path.join(dir, "logs/access.log")};`,
      `  client_body_temp_path ${temp("body")};`,
      `  proxy_temp_path ${temp("proxy")};`,
      `  fastcgi_temp_path ${temp("fastcgi")};`,
      `  uwsgi_temp_path ${temp("uwsgi")};`,
      `  scgi_temp_path ${temp("scgi")};`,
      `  include ${path.join(dir, "site.conf")};`,
      "}",
      "",
    ].join("\n"),
  );
  // Run as root (a CI container), nginx would keep a root master: run it all as nobody instead.
  const asNobody = process.getuid?.() === 0;
  if (asNobody) execFileSync("chown", ["-R", "65534:65534", dir]);
  const ids = asNobody ? { uid: 65534, gid: 65534 } : {};
  const args = [
    "-p",
    dir,
    "-c",
    path.join(dir, "nginx.conf"),
    "-e",
    path.join(dir, "logs/error.log"),
  ];
  execFileSync(NGINX, [...args, "-t", "-q"], { ...ids, stdio: "pipe" });
  const child: ChildProcess = spawn(NGINX, [...args, "-g", "daemon off;"], {
    ...ids,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const errorLog = () => {
    const file = path.join(dir, "logs/error.log");
    return `${stderr}${fs.existsSync(file) ? fs.readFileSync(file, "utf8") : ""}`;
  };
  // Listening once the pid file is written.
  for (let i = 0; i < 100 && !fs.existsSync(path.join(dir, "nginx.pid")); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  if (!fs.existsSync(path.join(dir, "nginx.pid"))) throw new Error(`nginx: ${errorLog()}`);
  // And answering on both ports: the pid file alone was once followed by a refused connection
  // on a machine running another test pass beside this one.
  for (const port of [ports.http, ports.https])
    if (!(await accepting(port))) throw new Error(`nginx: port ${port} refused: ${errorLog()}`);
  return {
    dir,
    ports,
    errorLog,
    reload: () => execFileSync(NGINX, [...args, "-s", "reload"], { ...ids, stdio: "pipe" }),
    async stop() {
      child.kill("SIGQUIT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Reads the mails an instance wrote to DATA_DIR/mail (no SMTP_URL), as a person would.
import fs from "node:fs";
import path from "node:path";

export interface ReadMail {
  to: string;
  subject: string;
  text: string;
  file: string;
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

function decodeHeader(value: string): string {
  return value
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, data: string) =>
      enc.toUpperCase() === "B"
        ? Buffer.from(data, "base64").toString("utf8")
        : decodeQuotedPrintable(data.replace(/_/g, " ")),
    )
    .replace(/\?=\s+=\?/g, "");
}

export function parseMail(file: string): ReadMail {
  const raw = fs.readFileSync(file, "utf8");
  const split = raw.indexOf("\n\n");
  const head = raw.slice(0, split).replace(/\n\s+/g, " ");
  let body = raw.slice(split + 2);
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, "im").exec(head)?.[1] ?? "";
  const encoding = header("Content-Transfer-Encoding").toLowerCase();
  if (encoding === "quoted-printable") body = decodeQuotedPrintable(body);
  else if (encoding === "base64")
    body = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  return { to: header("To"), subject: decodeHeader(header("Subject")), text: body, file };
}

export function readMails(dataDir: string): ReadMail[] {
  const dir = path.join(dataDir, "mail");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".eml"))
    .sort()
    .map((f) => parseMail(path.join(dir, f)));
}

/** Waits until a mail to `to` matching `subject` arrives (jobs run asynchronously). */
export async function waitForMail(
  dataDir: string,
  to: string,
  match: RegExp = /./,
  timeoutMs = 15_000,
): Promise<ReadMail> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = readMails(dataDir).find((m) => m.to.includes(to) && match.test(m.subject));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} matching ${match} within ${timeoutMs} ms`);
}

export function linkIn(mail: ReadMail, pathPrefix: string): string {
  const match = new RegExp(`https?://\\S+${pathPrefix.replace(/[/]/g, "\\/")}\\S*`).exec(mail.text);
  if (!match) throw new Error(`no link to ${pathPrefix} in mail: ${mail.text}`);
  return match[0];
}

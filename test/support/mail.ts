// Reads the mails an instance wrote to DATA_DIR/mail (no SMTP_URL), as a person would.
import fs from "node:fs";
import path from "node:path";

export interface ReadMail {
  to: string;
  subject: string;
  text: string;
  file: string;
  /** Files sent with the mail (an activity's .ics). */
  attachments: { filename: string; contentType: string; content: string }[];
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

function decodeBody(headers: string, body: string): string {
  const encoding = /^Content-Transfer-Encoding: (.*)$/im.exec(headers)?.[1]?.trim().toLowerCase();
  if (encoding === "quoted-printable") return decodeQuotedPrintable(body);
  if (encoding === "base64")
    return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  return body;
}

export function parseMail(file: string): ReadMail {
  const raw = fs.readFileSync(file, "utf8");
  const split = raw.indexOf("\n\n");
  const head = raw.slice(0, split).replace(/\n\s+/g, " ");
  const body = raw.slice(split + 2);
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, "im").exec(head)?.[1] ?? "";
  const mail = { to: header("To"), subject: decodeHeader(header("Subject")), file };
  // A mail with attachments (an .ics) is multipart: its text is the text/plain part.
  const boundary = /boundary="?([^";]+)"?/i.exec(header("Content-Type"))?.[1];
  if (!boundary) return { ...mail, text: decodeBody(head, body), attachments: [] };
  const parts = body
    .split(`--${boundary}`)
    .slice(1)
    .filter((p) => !p.startsWith("--"))
    .map((part) => {
      const trimmed = part.replace(/^\n/, "");
      const end = trimmed.indexOf("\n\n");
      const headers = trimmed.slice(0, end).replace(/\n\s+/g, " ");
      return { headers, content: decodeBody(headers, trimmed.slice(end + 2).replace(/\n$/, "")) };
    });
  const text = parts.find((p) => /^Content-Type: text\/plain/im.test(p.headers));
  return {
    ...mail,
    text: text?.content ?? "",
    attachments: parts
      .filter((p) => /^Content-Disposition: attachment/im.test(p.headers))
      .map((p) => ({
        filename: /filename="?([^";\n]+)"?/i.exec(p.headers)?.[1] ?? "",
        contentType: /^Content-Type: ([^;\n]+)/im.exec(p.headers)?.[1] ?? "",
        content: p.content,
      })),
  };
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

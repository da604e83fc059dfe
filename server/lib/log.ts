// The instance's logger: JSON lines for log collectors, or, for a person at a terminal, one
// readable line per event ("09:14:02 INFO  Maillage is listening url=…").
import pino, { type Logger } from "pino";

const LEVELS: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO ",
  40: "WARN ",
  50: "ERROR",
  60: "FATAL",
};
// Fields every line carries, or that the message already says.
const HIDDEN = new Set(["level", "time", "pid", "hostname", "msg", "v"]);

function field(value: unknown): string {
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Object) return JSON.stringify(value);
  return String(value);
}

/** Turns one pino JSON line into a readable one; anything else passes through. */
export function prettyLine(line: string, timeZone: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  }).format(new Date(typeof entry.time === "number" ? entry.time : Date.now()));
  const level = LEVELS[entry.level as number] ?? String(entry.level);
  const err = entry.err as { stack?: string; message?: string } | undefined;
  const rest = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key) && key !== "err")
    .map(([key, value]) => `${key}=${field(value)}`);
  const error = err
    ? `\n  ${(err.stack ?? err.message ?? String(err)).replace(/\n/g, "\n  ")}`
    : "";
  return `${time} ${level} ${String(entry.msg ?? "")}${rest.length ? ` ${rest.join(" ")}` : ""}${error}\n`;
}

export function createLogger(options: {
  level: pino.LevelWithSilent;
  format: "pretty" | "json";
  timezone: string;
}): Logger {
  if (options.format === "json") return pino({ level: options.level });
  return pino(
    { level: options.level },
    { write: (line: string) => process.stdout.write(prettyLine(line, options.timezone)) },
  );
}

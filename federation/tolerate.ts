// Remote documents are often missing, malformed or slow; many reads can do without them. A read
// that fails is not an error of ours, but it must not vanish either: the reason is logged (debug)
// with what was being done, and the caller goes on with a fallback value.
import type { Logger } from "pino";

export async function tolerate<T, F>(
  work: Promise<T>,
  fallback: F,
  log: Logger,
  what: string,
): Promise<T | F> {
  try {
    return await work;
  } catch (error) {
    log.debug({ err: error instanceof Error ? error.message : String(error) }, `${what} failed`);
    return fallback;
  }
}

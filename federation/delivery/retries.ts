// Retries: the schedule Fedify follows for our deliveries, the answers not worth retrying, and
// which answer of a double-knocked delivery is the peer's real one.
/** Retry schedule: 3 s, doubling, at most 6 h apart; after 48 h the delivery is dead. */
export const RETRY = { firstMs: 3_000, maxDelayMs: 6 * 3600_000, giveUpMs: 48 * 3600_000 };

/** Answers that will not change on a retry: malformed or refused (400, 422), gone (404, 410),
 * not understood (405, 413, 415, 501), or refused because the activity is the receiver's own
 * (424, NodeBB). 401 stays retried (the peer may not have fetched our key yet), and so does 403
 * (a peer's domain policy may allow us later). */
export const PERMANENT_REFUSALS = [400, 404, 405, 410, 413, 415, 422, 424, 501] as const;

export function retryDelay(elapsedMs: number, attempts: number): number | null {
  if (elapsedMs >= RETRY.giveUpMs) return null;
  const base = Math.min(RETRY.firstMs * 2 ** attempts, RETRY.maxDelayMs);
  return Math.round(base * (0.85 + Math.random() * 0.3));
}

/**
 * The failure as the peer meant it. After a 4xx, Fedify signs the POST again with the other
 * signature scheme; when one of the two answers is not about the signature (400, 401), that one
 * is the peer's real answer (e.g. NodeBB's 424), whatever the last one was.
 */
export function withRealAnswer(error: string, answers: readonly number[]): string {
  const failed = answers.filter((s) => s >= 400);
  if (failed.length < 2) return error;
  const real = failed.find((s) => s !== 400 && s !== 401) ?? failed[0]!;
  const last = failed.at(-1)!;
  return real === last ? error : `HTTP ${real} (${last} to the other signature scheme): ${error}`;
}

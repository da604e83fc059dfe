// Polls until a condition holds: jobs and deliveries run after the call that set them going.

/** Resolves once `predicate` is true, checked every 50 ms; rejects after `timeoutMs`. */
export function until(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = async () => {
      if (await predicate()) return resolve();
      if (Date.now() > deadline) return reject(new Error("condition not met in time"));
      setTimeout(() => void check(), 50);
    };
    void check();
  });
}

/** Polls until `check` returns a value that satisfies `done`, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 5000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await check();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    last = await check();
  }
  return last;
}

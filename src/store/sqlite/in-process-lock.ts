/**
 * A per-key mutex within this process. better-sqlite3 is synchronous: a connection waiting on
 * busy_timeout for another connection of the same process blocks the event loop that other
 * connection needs to finish, so the wait can only time out. Stores of one process on one file
 * therefore take turns here; other processes wait on SQLite's own lock.
 */
const tails = new Map<string, Promise<void>>();

export function runExclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const result = previous.then(work);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  tails.set(key, tail);
  tail
    .then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    })
    .catch(() => undefined);
  return result;
}

/**
 * Run `fn` over `items` with at most `limit` calls in flight, yielding results as they complete
 * (so a slow symbol does not hold back the progress of the others).
 */
export async function* mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): AsyncIterable<R> {
  const inFlight = new Map<number, Promise<{ id: number; value: R }>>();
  let next = 0;
  const launch = () => {
    const id = next++;
    inFlight.set(id, fn(items[id]).then((value) => ({ id, value })));
  };
  while (next < items.length && inFlight.size < Math.max(1, limit)) launch();
  while (inFlight.size > 0) {
    const { id, value } = await Promise.race(inFlight.values());
    inFlight.delete(id);
    if (next < items.length) launch();
    yield value;
  }
}

import "server-only";

/**
 * The process's one instance of something (the Fleet, Access), kept on
 * globalThis under a registered symbol so that hot reload and every route
 * bundle share it. A failed start is not kept, so the next caller retries.
 */
export function onePerProcess<T>(name: string, create: () => Promise<T>): () => Promise<T> {
  const key = Symbol.for(name);
  return () => {
    const holder = globalThis as Record<symbol, Promise<T> | undefined>;
    holder[key] ??= create().catch((err) => {
      delete holder[key];
      throw err;
    });
    return holder[key];
  };
}

/** Puts a given instance in place of the process's one (tests that build their own Fleet or Access). */
export function replaceOnePerProcess<T>(name: string, instance: T): void {
  (globalThis as Record<symbol, Promise<T> | undefined>)[Symbol.for(name)] = Promise.resolve(instance);
}

/** The process's instance if one was started (its promise), without starting one: for shutting down. */
export function startedOnePerProcess<T>(name: string): Promise<T> | undefined {
  return (globalThis as Record<symbol, Promise<T> | undefined>)[Symbol.for(name)];
}

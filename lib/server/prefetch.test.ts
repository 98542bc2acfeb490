import { createRequire, registerHooks } from "node:module";
import { Writable } from "node:stream";
import { createElement } from "react";
import { describe, expect, it, vi } from "vitest";
import { QueryClient } from "@tanstack/react-query";
import { NotFoundError } from "./errors";
import { getServerQueryClient, orNotFound } from "./prefetch";

/*
 * React's cache() scopes to a request only in the "react-server" build of
 * react, inside a React Server render; Vitest resolves the plain build, whose
 * cache() calls through every time. So here the module under test gets the
 * react-server build, and each request is a real render by React's server
 * renderer (Flight, the one Next renders pages with), which is made to
 * resolve the same build.
 */
vi.mock("react", async () => {
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  return require(require.resolve("react").replace(/index\.js$/, "react.react-server.js")) as object;
});

type Flight = {
  renderToPipeableStream(model: unknown, manifest: unknown, options: { onError(err: unknown): void }): { pipe(sink: Writable): void };
};

const reactServerCondition = registerHooks({
  resolve(specifier, context, nextResolve) {
    const fromFlight = /react-server-dom-webpack|[\\/]react-dom[\\/]/.test(context.parentURL ?? "");
    if (fromFlight && (specifier === "react" || specifier === "react-dom")) {
      return nextResolve(specifier, { ...context, conditions: [...context.conditions, "react-server"] });
    }
    return nextResolve(specifier, context);
  },
});
const flight = createRequire(import.meta.url)("next/dist/compiled/react-server-dom-webpack/server.node") as Flight;
reactServerCondition.deregister();

/** One server request: renders a page that runs `body`, and resolves when the render is done. */
function request(body: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    function Page() {
      body();
      return null;
    }
    const sink = new Writable({ write: (_chunk, _encoding, done) => done(), final: (done) => (resolve(), done()) });
    flight.renderToPipeableStream(createElement(Page), {}, { onError: reject }).pipe(sink);
  });
}

describe("getServerQueryClient", () => {
  it("is one client per request: the same throughout a render, another in the next request", async () => {
    const seen: QueryClient[][] = [];
    await request(() => seen.push([getServerQueryClient(), getServerQueryClient()]));
    await request(() => seen.push([getServerQueryClient(), getServerQueryClient()]));
    expect(seen).toHaveLength(2);
    const [[first, againInFirst], [second, againInSecond]] = seen;
    expect(first).toBeInstanceOf(QueryClient);
    expect(againInFirst).toBe(first);
    expect(againInSecond).toBe(second);
    expect(second).not.toBe(first);
  });
});

describe("orNotFound", () => {
  it("turns a not-found from the fleet into Next's 404, even from another bundle's error class", async () => {
    const foreign = Object.assign(new Error('no cluster "x"'), { status: 404, code: "not-found" });
    for (const err of [new NotFoundError('no cluster "x"'), foreign]) {
      const caught = await orNotFound(() => {
        throw err;
      }).catch((e: unknown) => e);
      expect((caught as { digest?: string }).digest).toMatch(/404/);
    }
  });
  it("lets other failures through and answers values", async () => {
    await expect(orNotFound(() => Promise.reject(new Error("upstream down")))).rejects.toThrow("upstream down");
    await expect(orNotFound(() => 42)).resolves.toBe(42);
  });
});

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AdapterError } from "@/lib/adapters/errors";
import { errorResponse } from "./http";
import { ForbiddenError } from "./errors";

async function answer(err: unknown) {
  const response = errorResponse(err);
  return { status: response.status, body: (await response.json()) as { error: { code: string; message: string } } };
}

/** An error thrown by another bundle's copy of a class: same shape, different constructor. */
function foreign(name: string, fields: Record<string, unknown>, message: string) {
  return Object.assign(new Error(message), { name, ...fields });
}

describe("errorResponse", () => {
  it("maps the server's own errors by status", async () => {
    expect(await answer(new ForbiddenError("read-only mode"))).toEqual({
      status: 403,
      body: { error: { code: "forbidden", message: "read-only mode" } },
    });
    expect((await answer(foreign("ApiError", { status: 404, code: "not-found" }, 'no cluster "x"'))).status).toBe(404);
  });

  it("maps upstream failures by code, from either copy of the class", async () => {
    expect(await answer(new AdapterError("timeout", "kube-apiserver: no answer in time"))).toEqual({
      status: 504,
      body: { error: { code: "upstream-timeout", message: "kube-apiserver: no answer in time" } },
    });
    const conflict = await answer(foreign("AdapterError", { code: "conflict" }, "deployment abc holds /web"));
    expect(conflict).toEqual({ status: 409, body: { error: { code: "upstream-conflict", message: "deployment abc holds /web" } } });
    expect((await answer(foreign("AdapterError", { code: "unreachable" }, "ECONNREFUSED"))).status).toBe(502);
  });

  it("names the field of a zod failure", async () => {
    const parsed = z.object({ replicas: z.number() }).safeParse({ replicas: "x" });
    const { status, body } = await answer(parsed.error);
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/^replicas: /);
  });

  it("hides unexpected errors behind a 500 without their text", async () => {
    const { status, body } = await answer(new TypeError("cannot read secretToken of undefined"));
    expect(status).toBe(500);
    expect(body.error.message).not.toMatch(/secretToken/);
    // An Error with an unrelated `code` (a Node system error) is not mistaken for an upstream answer.
    expect((await answer(Object.assign(new Error("EPIPE"), { code: "EPIPE" }))).status).toBe(500);
  });
});

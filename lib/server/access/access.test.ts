import { afterEach, describe, expect, it, vi } from "vitest";
import { sql } from "kysely";
import { openTestAccess } from "./testing";
import { memoryLogger } from "@/lib/testing/memory-logger";
import { openStorage } from "../storage";
import { migrations } from "../storage/migrations";
import { SESSION_COOKIE } from "./index";

/**
 * Users, sessions, display tokens, the audit trail and first start, on
 * SQLite and (with FLEETDECK_TEST_DATABASE_URL, which CI sets) on a real
 * PostgreSQL, each test in a fresh database or schema.
 */

const PG = process.env.FLEETDECK_TEST_DATABASE_URL;
if (!PG && process.env.CI) throw new Error("CI must run the PostgreSQL tests: set FLEETDECK_TEST_DATABASE_URL (.ci/run starts one)");
const DIALECTS: [string, string | undefined][] = [["sqlite", undefined], ...(PG ? [["postgres", PG] as [string, string]] : [])];

const PASSWORD = "correct horse battery";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0)) await c();
});

describe.each(DIALECTS)("access on %s", (_name, databaseUrl) => {
  async function open(settings = {}) {
    const t = await openTestAccess(settings, { databaseUrl });
    cleanups.push(t.close);
    return t;
  }
  const cookieFor = (secret: string) => new Headers({ cookie: `${SESSION_COOKIE.plain}=${secret}` });

  it("signs a user in with argon2id, and refuses a wrong password or an unknown user alike", async () => {
    const { access } = await open();
    await access.users.create({ username: "alice", password: PASSWORD, role: "operator", clusters: ["prod"] });
    const row = await access.storage.db.selectFrom("users").select("password_hash").executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
    const session = await access.signIn("alice", PASSWORD, "10.0.0.1");
    const me = await access.identify(cookieFor(session.secret));
    expect(me).toMatchObject({
      via: "session",
      actor: { kind: "user", name: "alice", grants: [{ role: "operator", clusters: ["prod"] }] },
    });
    await expect(access.signIn("alice", "wrong password!!", null)).rejects.toMatchObject({
      status: 401,
      message: "wrong username or password",
    });
    await expect(access.signIn("bob", PASSWORD, null)).rejects.toMatchObject({ status: 401, message: "wrong username or password" });
  });

  it("stores only the hash of a session; signing out ends it on the server", async () => {
    const { access } = await open();
    await access.users.create({ username: "alice", password: PASSWORD, role: "viewer" });
    const { secret } = await access.signIn("alice", PASSWORD, null);
    const stored = await access.storage.db.selectFrom("sessions").select("id_hash").execute();
    expect(stored).toHaveLength(1);
    expect(stored[0].id_hash).not.toBe(secret);
    await access.sessions.end(secret);
    expect(await access.identify(cookieFor(secret))).toMatchObject({ via: "anonymous", staleCookie: true });
  });

  it("ends a session after its idle time and after its absolute lifetime", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-01T00:00:00Z"));
    const { access } = await open({ session: { idleMs: 30 * 60_000, absoluteMs: 8 * 3600_000 } });
    await access.users.create({ username: "alice", password: PASSWORD, role: "viewer" });
    const idle = await access.signIn("alice", PASSWORD, null);
    vi.setSystemTime(new Date("2026-12-01T00:31:00Z"));
    expect((await access.identify(cookieFor(idle.secret))).via).toBe("anonymous");

    const busy = await access.signIn("alice", PASSWORD, null);
    // Active every 20 minutes: the idle limit never bites, the absolute one does.
    for (let minutes = 51; minutes < 31 + 8 * 60; minutes += 20) {
      vi.setSystemTime(new Date(Date.parse("2026-12-01T00:00:00Z") + minutes * 60_000));
      expect((await access.identify(cookieFor(busy.secret))).via, `after ${minutes} min`).toBe("session");
    }
    vi.setSystemTime(new Date(Date.parse("2026-12-01T00:31:00Z") + 8 * 3600_000));
    expect((await access.identify(cookieFor(busy.secret))).via).toBe("anonymous");
    // Ended sessions leave no rows behind once someone signs in again.
    await access.signIn("alice", PASSWORD, null);
    expect(await access.storage.db.selectFrom("sessions").selectAll().execute()).toHaveLength(1);
  });

  it("applies a role change at once, and ends sessions when the user is removed", async () => {
    const { access } = await open();
    await access.users.create({ username: "root", password: PASSWORD, role: "admin" });
    await access.users.create({ username: "alice", password: PASSWORD, role: "viewer" });
    const { secret } = await access.signIn("alice", PASSWORD, null);
    await access.users.update("alice", { role: "operator" });
    expect((await access.identify(cookieFor(secret))).actor.grants).toEqual([{ role: "operator", clusters: "*" }]);
    await access.users.delete("alice");
    expect((await access.identify(cookieFor(secret))).via).toBe("anonymous");
  });

  it("never leaves Fleetdeck without an admin", async () => {
    const { access } = await open();
    await access.users.create({ username: "root", password: PASSWORD, role: "admin" });
    await expect(access.users.delete("root")).rejects.toMatchObject({ status: 409 });
    await expect(access.users.update("root", { role: "viewer" })).rejects.toMatchObject({ status: 409 });
    await expect(access.users.update("root", { clusters: ["prod"] })).rejects.toMatchObject({ status: 409 });
    await access.users.create({ username: "second", password: PASSWORD, role: "admin" });
    await access.users.delete("root");
    await expect(access.users.create({ username: "second", password: PASSWORD, role: "viewer" })).rejects.toMatchObject({ status: 409 });
  });

  it("rate-limits sign-in attempts per account; a success clears the count; another account is not locked", async () => {
    const { access } = await open();
    await access.users.create({ username: "alice", password: PASSWORD, role: "viewer" });
    await access.users.create({ username: "bob", password: PASSWORD, role: "viewer" });
    for (let i = 0; i < 4; i++)
      await expect(access.signIn("alice", `guess number ${i}!`, "10.0.0.9")).rejects.toMatchObject({ status: 401 });
    await access.signIn("alice", PASSWORD, "10.0.0.9");
    for (let i = 0; i < 5; i++)
      await expect(access.signIn("alice", `guess number ${i}!`, `10.0.1.${i}`)).rejects.toMatchObject({ status: 401 });
    // The sixth attempt waits, even with the right password and from yet another address.
    await expect(access.signIn("alice", PASSWORD, "10.0.2.1")).rejects.toMatchObject({
      status: 429,
      message: expect.stringMatching(/too many sign-in attempts for this account; try again in up to 15 minutes/),
    });
    await expect(access.signIn("bob", PASSWORD, "10.0.2.1")).resolves.toMatchObject({ secret: expect.any(String) });
  });

  it("counts a burst of parallel guesses whole: no more than the limit are ever checked", async () => {
    const { access } = await open();
    await access.users.create({ username: "alice", password: PASSWORD, role: "viewer" });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => access.signIn("alice", `parallel guess ${i}`, null)));
    const statuses = results.map((r) => (r.status === "rejected" ? (r.reason as { status: number }).status : 200));
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
  });

  it("limits attempts per client address across accounts (password spraying)", async () => {
    const { access } = await open();
    for (let i = 0; i < 30; i++)
      await expect(access.signIn(`user${i}`, "spray spray spray", "198.51.100.7")).rejects.toMatchObject({ status: 401 });
    await expect(access.signIn("user30", "spray spray spray", "198.51.100.7")).rejects.toMatchObject({
      status: 429,
      message: expect.stringMatching(/from this address/),
    });
    await expect(access.signIn("user30", "spray spray spray", "198.51.100.8")).rejects.toMatchObject({ status: 401 });
  });

  it("display tokens: shown once, stored hashed, read-only, revocable, with expiry and last use", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-01T00:00:00Z"));
    const { access } = await open();
    const { token, record } = await access.tokens.create({
      name: "wall",
      clusters: ["prod"],
      expiresAt: Date.parse("2026-12-02T00:00:00Z"),
      createdBy: "root",
    });
    expect(token).toMatch(/^fdt_[A-Za-z0-9_-]{43}$/);
    const rows = await access.storage.db.selectFrom("display_tokens").selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));
    const bearer = await access.identify(new Headers({ authorization: `Bearer ${token}` }));
    expect(bearer).toMatchObject({
      via: "token",
      actor: { kind: "token", name: "wall", grants: [{ role: "viewer", clusters: ["prod"] }] },
    });
    expect((await access.tokens.get(record.id))?.lastUsedAt).toBe("2026-12-01T00:00:00.000Z");

    const kiosk = await access.exchangeToken(token);
    expect(kiosk.expiresAt).toBe(Date.parse("2026-12-02T00:00:00Z"));
    // A wall may sit idle for longer than a person's session lasts: its session ends with its token.
    vi.setSystemTime(new Date("2026-12-01T20:00:00Z"));
    expect((await access.identify(cookieFor(kiosk.secret))).actor).toMatchObject({ kind: "token", name: "wall" });

    await access.tokens.revoke(record.id);
    await expect(access.identify(new Headers({ authorization: `Bearer ${token}` }))).rejects.toMatchObject({ status: 401 });
    // The kiosk's session dies with its token.
    expect((await access.identify(cookieFor(kiosk.secret))).via).toBe("anonymous");
    await expect(access.exchangeToken(token)).rejects.toMatchObject({ status: 401 });

    const { token: short } = await access.tokens.create({
      name: "short",
      expiresAt: Date.parse("2026-12-01T21:00:00Z"),
      createdBy: "root",
    });
    vi.setSystemTime(new Date("2026-12-01T21:00:00Z"));
    await expect(access.identify(new Headers({ authorization: `Bearer ${short}` }))).rejects.toMatchObject({ status: 401 });
    // Basic (a proxy in front that asks for its own password) is not ours to judge.
    expect((await access.identify(new Headers({ authorization: "Basic YWRtaW46YWRtaW4=" }))).via).toBe("anonymous");
  });

  it("keeps the audit trail append-only: the database refuses updates and deletes", async () => {
    const { access } = await open();
    await access.audit.append({
      requestId: "r1",
      actor: "alice",
      actorKind: "user",
      source: "10.0.0.1",
      verb: "scale",
      cluster: "prod",
      target: "web",
      before: "3",
      after: "5",
      outcome: "ok",
      status: 200,
    });
    await expect(access.storage.db.updateTable("audit").set({ outcome: "refused" }).execute()).rejects.toThrow(/append-only/);
    await expect(access.storage.db.deleteFrom("audit").execute()).rejects.toThrow(/append-only/);
    if (access.storage.dialect === "postgres") await expect(sql`TRUNCATE audit`.execute(access.storage.db)).rejects.toThrow(/append-only/);
    const [entry] = await access.audit.query({ limit: 10 });
    expect(entry).toMatchObject({ actor: "alice", verb: "scale", before: "3", after: "5", outcome: "ok", requestId: "r1" });
  });

  it("first start: the admin from FLEETDECK_ADMIN_PASSWORD, else a one-time setup link in the log", async () => {
    const withPassword = await open();
    await withPassword.access.bootstrap({ FLEETDECK_ADMIN_PASSWORD: PASSWORD }, "http://localhost:3000");
    await expect(withPassword.access.signIn("admin", PASSWORD, null)).resolves.toBeTruthy();
    await expect(withPassword.access.bootstrap({ FLEETDECK_ADMIN_PASSWORD: "short" }, "http://x")).resolves.toBeUndefined(); // an admin exists: ignored

    const { access, log } = await open();
    await access.bootstrap({}, "http://localhost:3000");
    const line = log.lines.find((l) => l.includes("/setup?key="));
    expect(line).toBeTruthy();
    const key = /setup\?key=([A-Za-z0-9_-]+)/.exec(line!)![1];
    expect(await access.hasSetupPending()).toBe(true);
    await expect(access.completeSetup("not-the-key", "root", PASSWORD)).rejects.toMatchObject({ status: 401 });
    const session = await access.completeSetup(key, "root", PASSWORD);
    expect((await access.identify(cookieFor(session.secret))).actor).toMatchObject({
      name: "root",
      grants: [{ role: "admin", clusters: "*" }],
    });
    // One time only.
    await expect(access.completeSetup(key, "other", PASSWORD)).rejects.toMatchObject({ status: 401 });
    expect(await access.hasSetupPending()).toBe(false);
  });
});

describe("storage across a restart", () => {
  it.each(DIALECTS)("on %s, users and audit rows are there after the process reopens the database", async (_name, databaseUrl) => {
    const t = await openTestAccess({}, { databaseUrl });
    cleanups.push(t.close);
    await t.access.users.create({ username: "alice", password: PASSWORD, role: "operator" });
    await t.access.audit.append({
      requestId: "r1",
      actor: "alice",
      actorKind: "user",
      source: null,
      verb: "scale",
      outcome: "ok",
      status: 200,
    });
    // Reopening migrates again (a no-op) and finds everything.
    const again = await t.reopen();
    expect((await again.users.get("alice"))?.role).toBe("operator");
    expect(await again.audit.query({ limit: 10 })).toHaveLength(1);
  });
});

describe("two replicas on one database", () => {
  it.each(DIALECTS)("on %s, they share users, sessions and one audit trail", async (_name, databaseUrl) => {
    const t = await openTestAccess({}, { databaseUrl });
    cleanups.push(t.close);
    const a = t.access;
    const b = await t.replica();
    cleanups.push(() => b.close());
    await a.users.create({ username: "alice", password: PASSWORD, role: "operator" });
    const { secret } = await b.signIn("alice", PASSWORD, "10.0.0.2");
    const cookie = new Headers({ cookie: `${SESSION_COOKIE.plain}=${secret}` });
    expect((await a.identify(cookie)).actor.name).toBe("alice");
    await a.audit.append({
      requestId: "from-a",
      actor: "alice",
      actorKind: "user",
      source: null,
      verb: "scale",
      outcome: "ok",
      status: 200,
    });
    await b.audit.append({
      requestId: "from-b",
      actor: "alice",
      actorKind: "user",
      source: null,
      verb: "scale",
      outcome: "ok",
      status: 200,
    });
    for (const replica of [a, b]) expect((await replica.audit.query({ limit: 10 })).map((e) => e.requestId)).toEqual(["from-b", "from-a"]);
    await b.sessions.end(secret);
    expect((await a.identify(cookie)).via).toBe("anonymous");
  });

  it.skipIf(!PG)("on postgres, replicas starting together on an empty database migrate it once", async () => {
    const schema = `test_race_${process.pid}_${Date.now()}`;
    const log = memoryLogger();
    const replicas = await Promise.all([1, 2, 3].map(() => openStorage({ databaseUrl: PG, dataDir: "/nonexistent", schema, log })));
    try {
      const rows = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(replicas[0].db);
      // Every migration applied once, by one of the three.
      const names = Object.keys(migrations("postgres")).sort();
      expect(rows.rows.map((r) => r.name)).toEqual(names);
      for (const name of names)
        expect(
          log.lines.filter((l) => l.includes(`migration ${name}: Success`)),
          name,
        ).toHaveLength(1);
    } finally {
      await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(replicas[0].db);
      await Promise.all(replicas.map((r) => r.close()));
    }
  });
});

describe("who a user is to a cluster that impersonates", () => {
  it("local users as fleetdeck:<name>; OpenID users and groups with the configured prefix; never a system: name", async () => {
    const oidc = {
      issuer: "https://idp.example",
      clientId: "x",
      clientSecret: null,
      scopes: ["openid"],
      name: "SSO",
      usernameClaim: "preferred_username",
      groupsClaim: "groups",
      roles: [],
      kubernetesPrefix: "oidc:",
    };
    const t = await openTestAccess({ oidc });
    cleanups.push(t.close);
    const grants = [{ role: "operator" as const, clusters: "*" as const }];
    await t.access.users.create({ username: "alice", password: PASSWORD, role: "operator" });
    const local = await t.access.signIn("alice", PASSWORD, null);
    expect((await t.access.identifySession(local.secret)).actor.impersonation).toEqual({ user: "fleetdeck:alice", groups: [] });
    const viaOidc = await t.access.startOidcSession({ username: "bob", grants, groups: ["sre", "system:masters"] });
    expect((await t.access.identifySession(viaOidc.secret)).actor.impersonation).toEqual({
      user: "oidc:bob",
      groups: ["oidc:sre", "oidc:system:masters"],
    });

    const bare = await openTestAccess({ oidc: { ...oidc, kubernetesPrefix: "" } });
    cleanups.push(bare.close);
    const raw = await bare.access.startOidcSession({ username: "system:admin", grants, groups: ["sre", "system:masters"] });
    expect((await bare.access.identifySession(raw.secret)).actor.impersonation).toEqual({ user: "oidc:system:admin", groups: ["sre"] });
  });
});

describe("storage beside other schemas", () => {
  it.skipIf(!PG)("on postgres, a schema chosen by search_path migrates even when another schema has Kysely's tables", async () => {
    const log = memoryLogger();
    const stamp = `${process.pid}_${Date.now()}`;
    const other = await openStorage({ databaseUrl: PG, dataDir: "/nonexistent", schema: `test_other_${stamp}`, log });
    const mine = `test_mine_${stamp}`;
    await sql.raw(`CREATE SCHEMA ${mine}`).execute(other.db);
    const url = `${PG}${PG!.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${mine}`)}`;
    try {
      const storage = await openStorage({ databaseUrl: url, dataDir: "/nonexistent", log });
      const tables = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = ${mine} AND table_name = 'users'`.execute(
        storage.db,
      );
      expect(tables.rows[0].n).toBe(1);
      await storage.close();
    } finally {
      await sql.raw(`DROP SCHEMA ${mine} CASCADE`).execute(other.db);
      await sql.raw(`DROP SCHEMA test_other_${stamp} CASCADE`).execute(other.db);
      await other.close();
    }
  });
});

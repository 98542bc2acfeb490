import { describe, expect, it } from "vitest";
import { REDACTED, SecretSet } from "./secrets";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("SecretSet: known secrets", () => {
  const TOKEN = "5f0c3e1a-9b7d-4c2e-8f10-2a6b9d4e7c31";

  it("replaces a registered secret wherever it appears, every time", () => {
    const s = new SecretSet();
    s.add(TOKEN);
    expect(s.redact(`ACL token ${TOKEN} not found; retry with ${TOKEN}`)).toBe(`ACL token ${REDACTED} not found; retry with ${REDACTED}`);
  });

  it("replaces its base64, URL-encoded and JSON-escaped forms", () => {
    const s = new SecretSet();
    const secret = 'p@ss w/rd"+&=\\x';
    s.add(secret);
    expect(s.redact(`b64 ${b64(secret)}`)).toBe(`b64 ${REDACTED}`);
    expect(s.redact(`url ?p=${encodeURIComponent(secret)}&x=1`)).toBe(`url ?p=${REDACTED}&x=1`);
    expect(s.redact(JSON.stringify({ echoed: secret }))).toBe(`{"echoed":"${REDACTED}"}`);
    expect(s.redact(`raw ${secret} end`)).toBe(`raw ${REDACTED} end`);
  });

  it("registers basic auth as the password and base64(user:password)", () => {
    const s = new SecretSet();
    s.addBasicAuth("ops", "correct-horse");
    const header = `Basic ${b64("ops:correct-horse")}`;
    // Not after "Authorization:", so only the registered value can catch it.
    const out = s.redact(`echo: ${header} / ops:correct-horse / correct-horse`);
    expect(out).not.toContain(b64("ops:correct-horse"));
    expect(out).not.toContain("correct-horse");
    expect(out).toBe(`echo: Basic ${REDACTED} / ${REDACTED} / ${REDACTED}`);
  });

  it("registers a short password through user:password, and nothing without a password", () => {
    const s = new SecretSet();
    s.addBasicAuth("ops", "pw");
    expect(s.redact(`x ${b64("ops:pw")} y`)).toBe(`x ${REDACTED} y`);
    // "pw" alone is too short to search for.
    expect(s.redact("pw is short")).toBe("pw is short");
    const none = new SecretSet();
    none.addBasicAuth("ops", "");
    none.addBasicAuth("ops", undefined);
    expect(none.size).toBe(0);
  });

  it("ignores empty, missing and very short values", () => {
    const s = new SecretSet();
    s.add(undefined, null, "", "abc");
    expect(s.size).toBe(0);
    expect(s.redact("abc def")).toBe("abc def");
  });

  it("replaces the longer of two overlapping secrets whole", () => {
    const s = new SecretSet();
    s.add("secret-1", "secret-123456");
    expect(s.redact("a secret-123456 b secret-1 c")).toBe(`a ${REDACTED} b ${REDACTED} c`);
  });

  it("learns secrets registered after an earlier redact", () => {
    const s = new SecretSet();
    s.add("first-secret");
    expect(s.redact("second-secret")).toBe("second-secret");
    s.add("second-secret");
    expect(s.redact("first-secret second-secret")).toBe(`${REDACTED} ${REDACTED}`);
  });
});

describe("SecretSet: credential-shaped values it was never told", () => {
  const s = new SecretSet();

  it("redacts authorization headers in plain text, keeping the scheme", () => {
    expect(s.redact("Authorization: Basic b3BzOnNlY3JldA==")).toBe(`Authorization: Basic ${REDACTED}`);
    expect(s.redact("proxy-authorization: Bearer abc.def.ghi123")).toBe(`proxy-authorization: Bearer ${REDACTED}`);
    expect(s.redact("authorization=token ghp_1234567890abcdef")).toBe(`authorization=token ${REDACTED}`);
  });

  it("redacts authorization headers echoed as JSON and as a Go map", () => {
    const json = JSON.stringify({ Accept: "application/json", Authorization: "Basic b3BzOnNlY3JldA==", Host: "marathon:8080" });
    expect(s.redact(json)).toBe(`{"Accept":"application/json","Authorization":"Basic ${REDACTED}","Host":"marathon:8080"}`);
    expect(s.redact('{"authorization": ["Bearer eyJhbGciOi.eyJzdWIiOjF9.c2ln"]}')).toBe(`{"authorization": ["Bearer ${REDACTED}"]}`);
    expect(s.redact("map[Accept:[application/json] Authorization:[Basic b3BzOnNlY3JldA==]]")).toBe(
      `map[Accept:[application/json] Authorization:[Basic ${REDACTED}]]`,
    );
  });

  it("redacts the AWS SigV4 credential scope and the access key id anywhere", () => {
    const header =
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/eu-west-1/ecs/aws4_request, SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024";
    const out = s.redact(`{"authorization":"${header}"}`);
    expect(out).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(out).toContain(`AWS4-HMAC-SHA256 ${REDACTED}`);
    expect(s.redact("The security token for ASIAY34FZKBOKMUTVV7A is expired")).toBe(`The security token for ${REDACTED} is expired`);
  });

  it("redacts token headers: Nomad, Vault, Consul, AWS session, Docker registry auth", () => {
    expect(s.redact("X-Nomad-Token: 5f0c3e1a-9b7d-4c2e-8f10-2a6b9d4e7c31")).toBe(`X-Nomad-Token: ${REDACTED}`);
    expect(s.redact('{"x-nomad-token":"5f0c3e1a-9b7d"}')).toBe(`{"x-nomad-token":"${REDACTED}"}`);
    expect(s.redact("X-Vault-Token=s.abcdef X-Consul-Token: 1234-5678")).toBe(`X-Vault-Token=${REDACTED} X-Consul-Token: ${REDACTED}`);
    expect(s.redact('"X-Amz-Security-Token": "IQoJb3JpZ2luX2VjE/+abc=="')).toBe(`"X-Amz-Security-Token": "${REDACTED}"`);
    expect(s.redact("X-Registry-Auth: eyJ1c2VybmFtZSI6Im9wcyJ9")).toBe(`X-Registry-Auth: ${REDACTED}`);
  });

  it("redacts a whole cookie header, not just its first pair", () => {
    expect(s.redact("Cookie: session=abc123; csrf=def456\nHost: x")).toBe(`Cookie: ${REDACTED}\nHost: x`);
    expect(s.redact('{"set-cookie":"sid=abc; Path=/; HttpOnly"}')).toBe(`{"set-cookie":"${REDACTED}"}`);
  });

  it("redacts bearer tokens in prose", () => {
    expect(s.redact("rejected bearer eyJhbGciOiJIUzI1NiJ9.e30.sig from client")).toBe(`rejected bearer ${REDACTED} from client`);
  });

  it("redacts secret-named fields given with = or as quoted JSON keys", () => {
    expect(s.redact("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).toBe(`aws_secret_access_key = ${REDACTED}`);
    expect(s.redact('{"secretAccessKey":"wJalrXUtnFEMI","sessionToken":"IQoJb3J"}')).toBe(
      `{"secretAccessKey":"${REDACTED}","sessionToken":"${REDACTED}"}`,
    );
    expect(s.redact("login failed for password=hunter22&user=ops")).toBe(`login failed for password=${REDACTED}&user=ops`);
    expect(s.redact('{"password": "hunter22"}')).toBe(`{"password": "${REDACTED}"}`);
    expect(s.redact("client_secret=abc123")).toBe(`client_secret=${REDACTED}`);
  });

  it("redacts query tokens but not Nomad's paging cursor", () => {
    expect(s.redact("GET /v1/jobs?token=abcd1234&region=eu")).toBe(`GET /v1/jobs?token=${REDACTED}&region=eu`);
    expect(s.redact("GET /cb?access_token=ya29.a0Af&id_token=eyJ.x.y")).toBe(`GET /cb?access_token=${REDACTED}&id_token=${REDACTED}`);
    expect(s.redact("GET /v1/jobs?per_page=200&next_token=web-7")).toBe("GET /v1/jobs?per_page=200&next_token=web-7");
  });

  it("does not redact twice: an already redacted value stays [redacted]", () => {
    const known = new SecretSet();
    known.addBasicAuth("ops", "correct-horse");
    const text = `Authorization: Basic ${b64("ops:correct-horse")}, X-Nomad-Token: [redacted], Cookie: [redacted]`;
    expect(known.redact(text)).toBe(`Authorization: Basic ${REDACTED}, X-Nomad-Token: ${REDACTED}, Cookie: ${REDACTED}`);
  });
});

describe("SecretSet: ordinary messages stay as they are", () => {
  const s = new SecretSet();
  s.add("5f0c3e1a-9b7d-4c2e-8f10-2a6b9d4e7c31");
  s.addBasicAuth("ops", "correct-horse");

  it.each([
    "password must be at least 12 characters",
    "invalid password: must be at least 12 characters",
    "Validation failed: password: too short",
    "connection refused",
    "Mesos master: connect ECONNREFUSED 127.0.0.1:5050",
    'Nomad GET /v1/job/token-service: job "token-service" not found',
    "Permission denied",
    "ACL token not found",
    "Bearer authentication failed",
    "the token has expired; sign in again",
    "Marathon: App '/secret-store/api' does not exist (HTTP 404)",
    "ECS: ClusterNotFoundException: Cluster not found: arn:aws:ecs:eu-west-1:123456789012:cluster/shop-prod",
    "UpdateService: service arn:aws:ecs:eu-west-1:123456789012:service/shop/web is ACTIVE with 3 of 4 tasks",
    "default~storefront~web scaled to 5 by ops",
    "cookie consent banner is disabled",
    "Authorization required",
  ])("%s", (message) => {
    expect(s.redact(message)).toBe(message);
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse, stringify } from "yaml";
import { DEMO_CONFIG_FILE, HEALTH_TECH_DIR } from "../../examples/health-tech/paths.js";
import { loadConfig } from "../config/load-config.js";
import { loadApiAuth } from "../server/auth/load-api-auth.js";
import { main } from "./main.js";

/** The CLI in-process: exit code, stdout and stderr. */
async function apiToken(...args: string[]) {
  const out = { stdout: "", stderr: "" };
  const capture = (stream: "stdout" | "stderr") => (chunk: unknown) => {
    out[stream] += String(chunk);
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture("stdout"));
  vi.spyOn(process.stderr, "write").mockImplementation(capture("stderr"));
  const code = await main(["node", "entitlement-diff", "api-token", ...args]);
  vi.restoreAllMocks();
  return { code, ...out };
}

/** The demo config with its `api` section changed, written next to the demo's keys. */
function demoConfigWith(
  api: (section: Record<string, unknown>) => Record<string, unknown> | undefined,
): string {
  const config = parse(readFileSync(DEMO_CONFIG_FILE, "utf8")) as { api?: Record<string, unknown> };
  config.api = api(config.api ?? {});
  const file = join(mkdtempSync(join(tmpdir(), "api-token-")), "config.yaml");
  const keys = join(HEALTH_TECH_DIR, "keys");
  writeFileSync(file, stringify(config).replaceAll("keys/", `${keys}/`));
  return file;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("entitlement-diff api-token", () => {
  it("prints a token alone on stdout that the API verifier accepts, with the roles asked for", async () => {
    const r = await apiToken("--config", DEMO_CONFIG_FILE, "--role", "reviewer", "--role", "approver");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const token = r.stdout.trim();
    const verdict = await loadApiAuth(loadConfig(DEMO_CONFIG_FILE))?.verifier.verify(token);
    expect(verdict).toEqual({
      ok: true,
      principal: { subject: "local-reviewer-approver", roles: ["reviewer", "approver"] },
    });
    expect(decodeProtectedHeader(token)).toEqual({
      alg: "ES256",
      typ: "JWT",
      kid: "entitlement-diff-local-api-2026-01",
    });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: "https://entitlement-diff.local", aud: "entitlement-diff-api" });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3_600);
  });

  it("takes a subject and a ttl, and writes the roles where rolesClaim points", async () => {
    const file = demoConfigWith((api) => ({ ...api, rolesClaim: "realm_access.roles" }));
    const r = await apiToken("-c", file, "--role", "gate", "--subject", "ci-bot", "--ttl", "15m");
    expect(r.code).toBe(0);
    const claims = decodeJwt(r.stdout.trim());
    expect(claims).toMatchObject({ sub: "ci-bot", realm_access: { roles: ["gate"] } });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
  });

  it.each([
    [
      "an unknown role",
      ["--role", "root"],
      /unknown role "root"; one of reviewer, approver, gate, admin, ingest/,
    ],
    ["no role", [], /--role/],
    ["a ttl that is no duration", ["--role", "gate", "--ttl", "an hour"], /is not a duration/],
    ["a ttl over 24h", ["--role", "gate", "--ttl", "25h"], /longer than the 24h/],
    ["a zero ttl", ["--role", "gate", "--ttl", "0s"], /is not a duration/],
  ])("refuses %s (exit 64)", async (_name, args, message) => {
    const r = await apiToken("-c", DEMO_CONFIG_FILE, ...args);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });

  it.each([
    ["no api section", () => undefined, /\(at api\): api-token needs an api section/],
    [
      "no localSigningKey",
      ({ localSigningKey: _, ...api }: Record<string, unknown>) => api,
      /\(at api\.localSigningKey\): .*add api\.localSigningKey: <private JWK file>/,
    ],
    [
      "a public key as the signing key",
      (api: Record<string, unknown>) => ({ ...api, localSigningKey: "keys/api-jwks.json" }),
      /not a JWK/,
    ],
    [
      "a signing key the API's key set does not hold",
      (api: Record<string, unknown>) => ({ ...api, keys: { type: "jwks-file", path: "keys/new.jwks.json" } }),
      /the API would refuse tokens signed with this key/,
    ],
  ])("fails on a config with %s (exit 78)", async (_name, change, message) => {
    const r = await apiToken("-c", demoConfigWith(change), "--role", "admin");
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });
});

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRemoteJWKSet, exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issuerConfigSchema } from "../contracts/index.js";
import { JoseVerifier } from "./jose-verifier.js";

const T0 = 1_790_000_000;
let server: Server;
let status = 503;
let jwks = "";
let url = "";
let token = "";

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256" }] });
  token = await new SignJWT({ iss: "https://new.test", aud: "api", sub: "n-1", exp: T0 + 3600 })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .sign(privateKey);
  server = createServer((_req, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(status === 200 ? jwks : '{"error":"down"}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
});

afterAll(() => server.close());

describe("JoseVerifier with a remote key set (jwks-url)", () => {
  it("blames an unavailable key set, not the token, and does not cache it against the token", async () => {
    const config = issuerConfigSchema.parse({
      issuer: "https://new.test",
      audience: "api",
      keys: { type: "jwks-url", url },
      algorithms: ["RS256"],
    });
    const v = new JoseVerifier(config, createRemoteJWKSet(new URL(url), { cooldownDuration: 0 }), 10);
    expect(await v.verify(token, T0)).toMatchObject({ ok: false, reason: "key_source_unavailable" });
    status = 200;
    expect(await v.verify(token, T0)).toMatchObject({ ok: true, claims: { sub: "n-1" } });
  });
});

/**
 * DEMO ONLY. The legacy CIAM of the demo signs its tokens with an HMAC secret that the config reads
 * from this environment variable; the demo runner and the generator fall back to the fixed value
 * below when it is unset, so the committed example works out of the box. The value is public: it
 * protects nothing and must never be used outside examples/health-tech.
 */
export const LEGACY_JWT_SECRET_ENV = "HEALTHTECH_LEGACY_JWT_SECRET";

/** DEMO ONLY: a public, fixed HS256 secret for the generated demo traffic. */
export const DEMO_LEGACY_JWT_SECRET = "demo-only-healthtech-legacy-hs256-secret-do-not-use";

/** The secret the demo uses: the environment's when set, else the demo value. */
export function demoLegacySecret(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const fromEnv = env[LEGACY_JWT_SECRET_ENV];
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : DEMO_LEGACY_JWT_SECRET;
}

/** DEMO ONLY: the pseudonymization key of the demo's store, used when the variable is unset. */
export const DEMO_PSEUDONYM_KEY = "demo-only-pseudonym-key-0123456789abcdef-do-not-use";

/**
 * The two identity providers of the demo world as the generator signs for them. They must agree
 * with examples/health-tech/config.yaml (test/demo/generator.test.ts checks it).
 */
export const LEGACY_ISSUER = "https://login.healthtech.example/legacy";
export const NEW_ISSUER = "https://id.healthtech.example";
export const API_AUDIENCE = "healthtech-api";

/** PLANTED DRIFT: the nurse-station tablet client of the new IdP was registered with its own
 * audience, so the API must refuse its tokens (token_invalid on the new side). */
export const NURSE_STATION_AUDIENCE = "healthtech-nurse-station";

export const NEW_KEY_ID = "healthtech-new-2026-01";

/** Tokens live an hour; clients refresh five minutes before expiry, so sessions overlap. */
export const TOKEN_SLOT_SECONDS = 3600;
export const TOKEN_LIFETIME_SECONDS = TOKEN_SLOT_SECONDS + 300;

/** The acr of an elevated break-glass session (legacy and new tokens alike). */
export const BREAK_GLASS_ACR = "urn:healthtech:break-glass";

/** PLANTED DRIFT: the new CIAM issues service clients access tokens for a day, not an hour. */
export const NEW_SERVICE_TOKEN_LIFETIME_SECONDS = 24 * 3600;

/** Refresh tokens last a shift (8 h) on both sides, except as planted (lifecycle.ts). */
export const REFRESH_LIFETIME_SECONDS = 8 * 3600;

/** Where nurses' mail lives; a stale new account still has the pre-merger domain. */
export const MAIL_DOMAIN = "healthtech.example";
export const STALE_MAIL_DOMAIN = "old-healthtech.example";

import type { Claims } from "./claims.js";
import type { InvalidReason } from "./verification-result.js";

export interface TokenLifetime {
  nbf: number | undefined;
  exp: number | undefined;
}

export function lifetimeOf(claims: Claims): TokenLifetime {
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  return { nbf: num(claims.nbf), exp: num(claims.exp) };
}

/** The same time checks jose applies, against the event time, so a cached token is judged per event. */
export function checkLifetime(
  life: TokenLifetime,
  atEpochSeconds: number,
  toleranceSeconds: number,
): { reason: InvalidReason; detail: string } | undefined {
  if (life.nbf !== undefined && life.nbf > atEpochSeconds + toleranceSeconds) {
    return { reason: "not_yet_valid", detail: `nbf ${life.nbf} is after the event time ${atEpochSeconds}` };
  }
  if (life.exp !== undefined && life.exp <= atEpochSeconds - toleranceSeconds) {
    return { reason: "expired", detail: `exp ${life.exp} is before the event time ${atEpochSeconds}` };
  }
  return undefined;
}

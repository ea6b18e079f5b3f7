import type { CookieOptions, Request, Response } from "express";
import { decodeJwt } from "jose";
import { TOKEN_COOKIE } from "../auth/presented-token.js";

/**
 * Browsers drop a cookie larger than about 4 KiB without a word, which would look like a login
 * that did not take; such a token is refused with the reason instead.
 */
export const MAX_COOKIE_TOKEN_BYTES = 4_000;

/**
 * Seconds the (already verified) token has left, which is how long the cookie may live: the page
 * session never outlasts the token. Zero or less means it expired within the clock tolerance.
 */
export function secondsLeft(token: string, now: Date): number {
  const { exp } = decodeJwt(token);
  return typeof exp === "number" ? Math.floor(exp - now.getTime() / 1000) : 0;
}

export function setSessionCookie(req: Request, res: Response, token: string, maxAgeSeconds: number): void {
  res.cookie(TOKEN_COOKIE, token, { ...cookieOptions(req), maxAge: maxAgeSeconds * 1000 });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(TOKEN_COOKIE, cookieOptions(req));
}

/** Script cannot read it, other sites cannot make a browser send it; Secure wherever https is. */
function cookieOptions(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: "strict", path: "/", secure: req.secure };
}

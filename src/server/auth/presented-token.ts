import type { Request } from "express";

/** The HttpOnly cookie the server-rendered pages authenticate with (set by whoever logs a person in). */
export const TOKEN_COOKIE = "ed_token";

export type PresentedToken =
  | { readonly kind: "token"; readonly token: string; readonly from: "header" | "cookie" }
  | { readonly kind: "none" }
  | { readonly kind: "unusable"; readonly detail: string };

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

/**
 * The token a request carries. The Authorization header wins over the cookie: an API client
 * that sends one means it, even from a browser that also holds a page session.
 */
export function presentedToken(req: Request): PresentedToken {
  const header = req.get("authorization");
  if (header !== undefined) {
    const match = BEARER.exec(header);
    if (!match?.[1]) return { kind: "unusable", detail: "the Authorization header is not `Bearer <jwt>`" };
    return { kind: "token", token: match[1], from: "header" };
  }
  const cookie = cookieValue(req.get("cookie"), TOKEN_COOKIE);
  return cookie ? { kind: "token", token: cookie, from: "cookie" } : { kind: "none" };
}

/** One cookie's value; no cookie-parser for the single cookie the API reads. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(";") ?? []) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

import type { Request } from "express";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A browser attaches the token cookie to requests other sites make it send, so a write that
 * authenticates by cookie must show it comes from our own pages (CSRF). Browsers send
 * Sec-Fetch-Site or Origin on such requests; a client that sends neither is no browser and cannot
 * be made to send someone else's cookie.
 */
export function isCrossSiteWrite(req: Request): boolean {
  if (SAFE_METHODS.has(req.method)) return false;
  const site = req.get("sec-fetch-site");
  if (site !== undefined) return site !== "same-origin" && site !== "none";
  const origin = req.get("origin");
  if (origin === undefined) return false;
  return hostOf(origin) !== req.get("host");
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

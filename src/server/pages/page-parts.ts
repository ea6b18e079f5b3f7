import type { Response } from "express";

/** Sends a finished page; `no-store` because every page but login shows review data. */
export function sendPage(res: Response, status: number, page: string): void {
  res.status(status).setHeader("Cache-Control", "no-store");
  res.type("html").send(page);
}

export function mismatchHref(pairId: string): string {
  return `/mismatches/${encodeURIComponent(pairId)}`;
}

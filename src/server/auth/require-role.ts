import type { RequestHandler, Response } from "express";
import type { ApiRole } from "../../contracts/index.js";
import type { ApiVerifier } from "./api-verifier.js";
import { isCrossSiteWrite } from "./cross-site.js";
import { presentedToken } from "./presented-token.js";
import { holdsAnyRole } from "./principal.js";

/**
 * Verifies the request's token (Authorization: Bearer, else the `ed_token` cookie) and puts the
 * principal on `res.locals.principal`; answers 401 otherwise. Roles are checked by `requireRole`.
 */
export function authenticate(verifier: ApiVerifier): RequestHandler {
  return async (req, res, next) => {
    const presented = presentedToken(req);
    if (presented.kind === "none") {
      // RFC 6750 §3.1: a request without credentials gets the challenge but no error code.
      res.setHeader("WWW-Authenticate", 'Bearer realm="entitlement-diff"');
      deny(res, 401, "unauthorized", "no token: send Authorization: Bearer <jwt>");
      return;
    }
    if (presented.kind === "unusable") {
      unauthorized(res, presented.detail);
      return;
    }
    const verdict = await verifier.verify(presented.token);
    if (!verdict.ok) {
      // The issuer's key set being down is no fault of the caller's token: retry, do not re-login.
      if (verdict.reason === "key_source_unavailable") {
        res.setHeader("Retry-After", "5");
        deny(res, 503, "unavailable", verdict.detail);
      } else unauthorized(res, verdict.detail);
      return;
    }
    if (presented.from === "cookie" && isCrossSiteWrite(req)) {
      deny(res, 403, "forbidden", "a write authenticated by cookie must come from this site's own pages");
      return;
    }
    res.locals.principal = verdict.principal;
    next();
  };
}

/** Lets the request on only when its principal holds one of `roles` (or admin); 403 otherwise. */
export function requireRole(...roles: [ApiRole, ...ApiRole[]]): RequestHandler {
  // A role list emptied by a spread of nothing would otherwise let only admin in, silently.
  if (roles.length === 0) throw new Error("requireRole needs at least one role");
  const needed = [...new Set([...roles, "admin"])].join(" or ");
  return (_req, res, next) => {
    const principal = res.locals.principal;
    if (!principal) {
      // Mounted without authenticate in front: deny rather than guess.
      unauthorized(res, "the request was not authenticated");
      return;
    }
    if (holdsAnyRole(principal, roles)) {
      next();
      return;
    }
    const held = principal.roles.length > 0 ? principal.roles.join(", ") : "none";
    deny(res, 403, "forbidden", `needs role ${needed}; token has ${held}`);
  };
}

function unauthorized(res: Response, detail: string): void {
  res.setHeader(
    "WWW-Authenticate",
    `Bearer error="invalid_token", error_description="${headerSafe(detail)}"`,
  );
  deny(res, 401, "unauthorized", detail);
}

function deny(res: Response, status: number, error: string, details: string): void {
  res.status(status).json({ error, details });
}

/** RFC 6750 allows only printable ASCII without `"` and `\` in error_description. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, "'");
}

import type { RequestHandler, Response } from "express";
import type { ApiRole } from "../../contracts/index.js";
import type { ApiVerifier } from "../auth/api-verifier.js";
import { isCrossSiteWrite } from "../auth/cross-site.js";
import { presentedToken } from "../auth/presented-token.js";
import { holdsAnyRole } from "../auth/principal.js";
import { renderMessage } from "./message-page.js";
import { sendPage } from "./page-parts.js";

/** Reading the pages is reviewing: the same role as the review API's GET routes (admin passes). */
export const PAGE_ROLES: readonly [ApiRole, ...ApiRole[]] = ["reviewer"];

/** The login page's note when a cookie stopped working; a fixed code, never text from the URL. */
export const SESSION_ENDED = "ended";

export type PageVerifier = Pick<ApiVerifier, "verify">;

/**
 * Lets a page request on with a valid token (cookie or header) holding a page role; everyone else
 * is sent to the login form (303), so no page ever renders data without a session.
 */
export function requirePageSession(verifier: PageVerifier): RequestHandler {
  return async (req, res, next) => {
    const presented = presentedToken(req);
    if (presented.kind !== "token") {
      res.redirect(303, "/login");
      return;
    }
    const verdict = await verifier.verify(presented.token);
    if (!verdict.ok) {
      // The key set being unreachable says nothing against the session: logging in again won't help.
      if (verdict.reason === "key_source_unavailable") {
        res.setHeader("Retry-After", "5");
        sendPage(res, 503, renderMessage({ title: "Try again shortly", message: verdict.detail }));
      } else res.redirect(303, presented.from === "cookie" ? `/login?session=${SESSION_ENDED}` : "/login");
      return;
    }
    if (!holdsAnyRole(verdict.principal, PAGE_ROLES)) {
      const held = verdict.principal.roles.join(", ") || "none";
      const message = `These pages need the role reviewer or admin; the token has ${held}.`;
      sendPage(
        res,
        403,
        renderMessage({ title: "Not allowed", message, subject: verdict.principal.subject }),
      );
      return;
    }
    res.locals.principal = verdict.principal;
    next();
  };
}

/** Login and logout change the session, so only this site's own pages may post them (CSRF). */
export const sameSiteForms: RequestHandler = (req, res, next) => {
  if (isCrossSiteWrite(req)) {
    const message = "This form must be sent from entitlement-diff's own pages.";
    sendPage(res, 403, renderMessage({ title: "Not allowed", message }));
    return;
  }
  next();
};

/** The signed-in subject; only called behind requirePageSession. */
export function subjectOf(res: Response): string {
  const principal = res.locals.principal;
  if (!principal) throw new Error("page rendered without a session: requirePageSession is missing");
  return principal.subject;
}

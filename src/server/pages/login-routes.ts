import express, { type Request, type RequestHandler } from "express";
import { holdsAnyRole } from "../auth/principal.js";
import { renderLogin } from "./login-page.js";
import { sendPage } from "./page-parts.js";
import { PAGE_ROLES, type PageVerifier, SESSION_ENDED } from "./page-session.js";
import {
  clearSessionCookie,
  MAX_COOKIE_TOKEN_BYTES,
  secondsLeft,
  setSessionCookie,
} from "./session-cookie.js";

/** A token and the form's few fields; anything larger is not a login. */
const LOGIN_BODY_LIMIT = "8kb";

export const loginForm: RequestHandler = (req, res) => {
  const ended = req.query.session === SESSION_ENDED;
  const problem = "Your session ended: the token expired or is no longer accepted. Paste a new one.";
  sendPage(res, 200, renderLogin(ended ? { problem } : {}));
};

export const loginBody: RequestHandler = express.urlencoded({
  extended: false,
  limit: LOGIN_BODY_LIMIT,
  parameterLimit: 5,
});

/** Verifies the pasted token like any API call, then keeps it in the cookie until it expires. */
export function login(verifier: PageVerifier, now: () => Date): RequestHandler {
  return async (req, res) => {
    const token = pastedToken(req);
    if (token === "") {
      sendPage(res, 401, renderLogin({ problem: "Paste a token first." }));
      return;
    }
    if (Buffer.byteLength(token) > MAX_COOKIE_TOKEN_BYTES) {
      const problem = `The token is ${Buffer.byteLength(token)} bytes; a browser keeps at most about ${MAX_COOKIE_TOKEN_BYTES} in a cookie. Use a token with fewer claims.`;
      sendPage(res, 401, renderLogin({ problem }));
      return;
    }
    const verdict = await verifier.verify(token);
    if (!verdict.ok) {
      const status = verdict.reason === "key_source_unavailable" ? 503 : 401;
      sendPage(res, status, renderLogin({ problem: `The token was refused: ${verdict.detail}.` }));
      return;
    }
    if (!holdsAnyRole(verdict.principal, PAGE_ROLES)) {
      const held = verdict.principal.roles.join(", ") || "none";
      const problem = `The token cannot read these pages: it needs the role reviewer or admin and has ${held}.`;
      sendPage(res, 403, renderLogin({ problem }));
      return;
    }
    const seconds = secondsLeft(token, now());
    if (seconds < 1) {
      sendPage(res, 401, renderLogin({ problem: "The token was refused: the token has expired." }));
      return;
    }
    setSessionCookie(req, res, token, seconds);
    res.redirect(303, "/");
  };
}

export const logout: RequestHandler = (req, res) => {
  clearSessionCookie(req, res);
  res.redirect(303, "/login");
};

/** People paste what they have at hand, often with the header's "Bearer " still in front. */
function pastedToken(req: Request): string {
  const body: unknown = req.body;
  const raw = typeof body === "object" && body !== null && "token" in body ? body.token : undefined;
  return typeof raw === "string" ? raw.trim().replace(/^Bearer\s+/i, "") : "";
}

import { type ErrorRequestHandler, type RequestHandler, Router } from "express";
import type { Logger } from "../../logging/logger.js";
import type { ReviewService } from "../../review/review-service.js";
import { BadCursorError } from "../../store/drift-groups.js";
import { parseDriftFilters } from "./drift-filters.js";
import { renderDrift } from "./drift-page.js";
import { renderLatent } from "./latent-page.js";
import { login, loginBody, loginForm, logout } from "./login-routes.js";
import { renderMessage } from "./message-page.js";
import { renderMismatch } from "./mismatch-page.js";
import { renderOverview } from "./overview-page.js";
import { sendPage } from "./page-parts.js";
import { type PageVerifier, requirePageSession, sameSiteForms, subjectOf } from "./page-session.js";
import { renderWaivers } from "./waivers-page.js";

export interface PagesDependencies {
  review: Pick<ReviewService, "cohortIds" | "cohorts" | "drift" | "mismatch" | "waivers" | "latent">;
  verifier: PageVerifier;
  /** The clock for gate windows, expiry marks and cookie lifetimes; the wall clock by default. */
  now?: () => Date;
  /** Where a page that failed (the store down) is reported; the person sees a page either way. */
  log?: Pick<Logger, "error">;
}

/** The shape of the pair ids the store issues (pseudonymous hashes). */
const PAIR_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Drift groups per page: enough to triage, few enough to read. */
export const DRIFT_PAGE_SIZE = 50;

/**
 * The security team's pages, server-rendered and script-free (the CSP allows no script). Mounted
 * at `/`; each route carries its own guard and error page, so the router never touches requests
 * for other paths (the JSON API keeps its own 401s and errors).
 */
export function createPagesRouter(deps: PagesDependencies): Router {
  const { review } = deps;
  const now = deps.now ?? (() => new Date());
  const session = requirePageSession(deps.verifier);
  const failed = pageErrors(deps.log);
  const router = Router();

  router.get("/login", loginForm);
  router.post("/login", sameSiteForms, loginBody, login(deps.verifier, now), failed);
  router.post("/logout", sameSiteForms, logout);

  const page = (path: string, handler: RequestHandler) => router.get(path, session, handler, failed);
  page("/", async (_req, res) => {
    sendPage(res, 200, renderOverview(await review.cohorts(now()), subjectOf(res)));
  });
  page("/drift", showDrift(review));
  page("/mismatches/:pairId", showMismatch(review));
  page("/latent", showLatent(review, now));
  page("/waivers", async (_req, res) => {
    sendPage(res, 200, renderWaivers(await review.waivers({}), now(), subjectOf(res)));
  });
  return router;
}

function showDrift(review: PagesDependencies["review"]): RequestHandler {
  return async (req, res) => {
    const cohortIds = review.cohortIds();
    const filters = parseDriftFilters(req.query, cohortIds);
    const view = { subject: subjectOf(res), cohortIds, form: filters.form };
    if (!filters.ok) {
      sendPage(res, 400, renderDrift({ ...view, problems: filters.problems }));
      return;
    }
    try {
      const drift = await review.drift({ ...filters.query, limit: DRIFT_PAGE_SIZE });
      sendPage(res, 200, renderDrift({ ...view, page: drift }));
    } catch (err) {
      // A cursor is ours, but it travels in a URL that can be edited or cut short.
      if (!(err instanceof BadCursorError)) throw err;
      const problems = ["the page link is not valid; start from the first page"];
      sendPage(res, 400, renderDrift({ ...view, problems }));
    }
  };
}

function showLatent(review: PagesDependencies["review"], now: () => Date): RequestHandler {
  return async (req, res) => {
    const cohortIds = review.cohortIds();
    const raw = req.query.cohort;
    const cohort = typeof raw === "string" ? raw : "";
    const view = { subject: subjectOf(res), cohortIds, cohort };
    if (raw !== undefined && (typeof raw !== "string" || (cohort !== "" && !cohortIds.includes(cohort)))) {
      const problems = [
        typeof raw === "string" ? "unknown cohort; choose one of the list" : "cohort is given more than once",
      ];
      sendPage(res, 400, renderLatent({ ...view, cohort: "", problems }));
      return;
    }
    const report = await review.latent({ ...(cohort ? { cohort } : {}), now: now() });
    sendPage(res, 200, renderLatent({ ...view, report }));
  };
}

function showMismatch(review: PagesDependencies["review"]): RequestHandler {
  return async (req, res) => {
    const pairId = String(req.params.pairId);
    const detail = await review.mismatch(pairId);
    if (detail) {
      sendPage(res, 200, renderMismatch(detail, subjectOf(res)));
      return;
    }
    // Echo the id only when it could be one: the page is no place for text from a crafted link.
    const named = PAIR_ID.test(pairId) ? `No pair ${pairId}` : "No such pair";
    const message = `${named} in the store: the id is wrong, or the pair is past the retention period.`;
    sendPage(res, 404, renderMessage({ title: "Pair not found", message, subject: subjectOf(res) }));
  };
}

/** A failed page still answers as a page; the cause goes to the log, not to the browser. */
function pageErrors(log: PagesDependencies["log"]): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const status = clientStatusOf(err);
    if (status !== undefined) {
      const [title, message] =
        status === 413
          ? ["Too large", "The form was too large to be a token."]
          : ["Bad request", "The request could not be read."];
      sendPage(res, status, renderMessage({ title, message }));
      return;
    }
    log?.error({ err }, "page failed");
    const message =
      "The page could not be built; the store may be unavailable. Try again shortly; the cause is in the service's log.";
    sendPage(res, 500, renderMessage({ title: "Something went wrong", message }));
  };
}

/**
 * The status of an error the client caused (http-errors, as body-parser throws them, marks those
 * `expose`); undefined for everything else, which is ours or the store's and answered 500.
 */
function clientStatusOf(err: unknown): number | undefined {
  if (!(err instanceof Error) || !("expose" in err) || err.expose !== true) return undefined;
  return "status" in err && typeof err.status === "number" ? err.status : 400;
}

import type { Response } from "express";
import type { z } from "zod";
import type { GateEvaluation } from "../../contracts/index.js";
import { UsageError } from "../../errors/errors.js";
import { StagePublishError } from "../../ingest/kafka/kafka-stage-publisher.js";
import type { Logger } from "../../logging/logger.js";
import { RepublishError, StageChangedError } from "../../promotion/promote-cohort.js";
import { WaiverRejectedError } from "../../review/review-service.js";
import { BadCursorError } from "../../store/drift-groups.js";
import { firstLine, StoreError } from "../../store/store-errors.js";
import type { ApiErrorBody, RequestIssue } from "./response-schemas.js";

/**
 * The request did not match its schema. Only the routes' own input parsing throws it: a bare
 * ZodError elsewhere means stored data failed to parse, which is our fault (500), not the caller's.
 */
export class RequestInvalidError extends Error {
  override name = "RequestInvalidError";
  constructor(readonly issues: readonly RequestIssue[]) {
    super(issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  }

  static fromZod(error: z.ZodError): RequestInvalidError {
    return new RequestInvalidError(
      error.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
        message: i.message,
      })),
    );
  }
}

/** A cohort or pair the path names does not exist. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** A promotion the gate refused now: the caller gets the evaluation that says why. */
export class PromotionRefusedError extends Error {
  override name = "PromotionRefusedError";
  constructor(readonly gate: GateEvaluation) {
    super(`gate ${gate.status}`);
  }
}

/** A body that is not JSON: the routes take nothing else. */
export class UnsupportedContentTypeError extends Error {
  override name = "UnsupportedContentTypeError";
}

interface ErrorAnswer {
  status: number;
  body: ApiErrorBody;
  retryAfterSeconds?: number;
}

/** Every error a review route can meet, to its status and body: the one place that decides. */
export function errorAnswer(err: unknown): ErrorAnswer {
  if (err instanceof RequestInvalidError) return badRequest(err.issues);
  // Both name the body as a whole: they refuse a combination, not one malformed field.
  if (err instanceof WaiverRejectedError || err instanceof UsageError)
    return badRequest([{ path: ["body"], message: err.message }]);
  if (err instanceof BadCursorError) return badRequest([{ path: ["query", "cursor"], message: err.message }]);
  if (err instanceof NotFoundError)
    return { status: 404, body: { error: "not found", details: err.message } };
  if (err instanceof PromotionRefusedError)
    return { status: 409, body: { error: "conflict", details: err.gate } };
  if (err instanceof StageChangedError || err instanceof RepublishError)
    return { status: 409, body: { error: "conflict", details: err.message } };
  if (err instanceof UnsupportedContentTypeError)
    return { status: 415, body: { error: "unsupported content type", details: err.message } };
  if (isBodyParserError(err)) {
    if (err.status === 413) return { status: 413, body: { error: "body too large", details: err.message } };
    if (err.status === 415)
      return { status: 415, body: { error: "unsupported content type", details: err.message } };
    return badRequest([{ path: ["body"], message: err.message }]);
  }
  // The caller did nothing wrong and may retry; a publish failure says the move is recorded.
  if (err instanceof StoreError || err instanceof StagePublishError)
    return { status: 503, body: { error: "unavailable", details: firstLine(err) }, retryAfterSeconds: 5 };
  return { status: 500, body: { error: "internal error", details: "see the service log" } };
}

/** Answers `err` as JSON; logs what is ours to fix (5xx), not what the caller sent. */
export function sendError(res: Response, err: unknown, log: Logger): void {
  const answer = errorAnswer(err);
  if (answer.status === 500) log.error({ err }, "review API request failed");
  else if (answer.status === 503) log.warn({ err: String(err) }, "review API dependency unavailable");
  if (answer.retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(answer.retryAfterSeconds));
  res.status(answer.status).json(answer.body);
}

function badRequest(issues: readonly RequestIssue[]): ErrorAnswer {
  return { status: 400, body: { error: "bad request", details: [...issues] } };
}

/** body-parser's errors (malformed JSON, too large, a charset it cannot read) carry a status and `type`. */
function isBodyParserError(err: unknown): err is Error & { status: number } {
  return (
    err instanceof Error &&
    "type" in err &&
    typeof err.type === "string" &&
    "status" in err &&
    typeof err.status === "number"
  );
}

import express, { type RequestHandler } from "express";
import type { z } from "zod";
import type { Logger } from "../../logging/logger.js";
import type { ApiPrincipal } from "../auth/principal.js";
import { RequestInvalidError, sendError, UnsupportedContentTypeError } from "./api-errors.js";

export interface JsonRouteSpec<I extends z.ZodType, O extends z.ZodType> {
  /** `{ params, query, body }` of the request. */
  input: I;
  /** The answer's schema: ties the handler's return type to what the OpenAPI document says. */
  output: O;
  status?: 200 | 201;
}

/**
 * A review route's last handler: validates the request, runs `answer` for the authenticated
 * caller and sends its result as JSON; every error goes through `sendError`.
 */
export function jsonRoute<I extends z.ZodType, O extends z.ZodType>(
  spec: JsonRouteSpec<I, O>,
  answer: (request: z.output<I>, caller: ApiPrincipal) => Promise<z.input<O>>,
  log: Logger,
): RequestHandler {
  return async (req, res) => {
    try {
      const parsed = spec.input.safeParse({ params: req.params, query: req.query, body: req.body });
      if (!parsed.success) throw RequestInvalidError.fromZod(parsed.error);
      const caller = res.locals.principal;
      // mountGuarded always authenticates first; without a principal something is mis-wired.
      if (!caller) throw new Error("a review route ran without authentication in front of it");
      res.status(spec.status ?? 200).json(await answer(parsed.data, caller));
    } catch (err) {
      sendError(res, err, log);
    }
  };
}

/** Waivers and promotions are a few fields: a body past this is a mistake, not a request. */
const JSON_BODY_LIMIT = "16kb";

/** Parses a JSON body for the routes that take one; refusals use the review API's error format. */
export function jsonBody(log: Logger): RequestHandler {
  const parse = express.json({ limit: JSON_BODY_LIMIT });
  return (req, res, next) => {
    // `is` is false for a body of another type (an empty one included); no body is left to the schema.
    const empty = req.headers["content-length"] === "0";
    if (!empty && req.is("application/json") === false) {
      sendError(res, new UnsupportedContentTypeError("send the body as application/json"), log);
      return;
    }
    parse(req, res, (err?: unknown) => {
      if (err) sendError(res, err, log);
      else next();
    });
  };
}

import { hash } from "node:crypto";
import express, { type RequestHandler, type Router } from "express";
import type { TokenEvent } from "../contracts/index.js";
import type { ObservedEvent } from "../diff/pair-outcome.js";
import { parseMirrored } from "../ingest/parse-mirrored.js";

/** One mirrored line, parsed: an authorization event, or a token lifecycle event. */
export type IntakeEvent =
  | ({ kind: "authz" } & ObservedEvent)
  | { kind: "token"; event: TokenEvent; observedAtMs: number };

/** Accepts one mirrored event (already parsed) into the pipeline; or says why it cannot. */
export type EventIntake = (event: IntakeEvent, fingerprint: string) => string | undefined;

export interface IngestResponse {
  accepted: number;
  rejected: { line: number; reason: string }[];
}

const MAX_REJECTED_LISTED = 100;

/**
 * `POST /api/v1/events`: the same envelopes as NDJSON, for gateways that mirror over HTTP. Every
 * valid line is accepted even when others are not; the answer lists each rejected line with its
 * reason. 202 when anything was accepted, 400 when nothing was, 413 past the body limit.
 * `guards` (authentication, the `ingest` role) run before the body is read.
 */
export function ingestRouter(
  intake: EventIntake,
  bodyLimitBytes: number,
  accepting: () => boolean = () => true,
  guards: readonly RequestHandler[] = [],
  onRejected: (category: "not_json" | "invalid_envelope") => void = () => {},
): Router {
  const router = express.Router();
  router.post(
    "/api/v1/events",
    ...guards,
    express.text({
      type: ["application/x-ndjson", "application/jsonl", "text/plain", "application/json"],
      limit: bodyLimitBytes,
    }),
    (req, res) => {
      // Backpressure for HTTP mirrors: nothing is taken while the store falls behind or we stop.
      if (!accepting()) {
        res.setHeader("Retry-After", "5");
        res
          .status(503)
          .json({ error: "not accepting events now", details: "the store is falling behind; retry later" });
        return;
      }
      if (typeof req.body !== "string") {
        res.status(415).json({ error: "unsupported content type", details: "send application/x-ndjson" });
        return;
      }
      const result: IngestResponse = { accepted: 0, rejected: [] };
      let rejectedTotal = 0;
      req.body.split("\n").forEach((raw, index) => {
        const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
        if (text.trim() === "") return;
        const parsed = parseMirrored(text);
        if (!parsed.ok) {
          rejectedTotal++;
          onRejected(parsed.reason.startsWith("not JSON") ? "not_json" : "invalid_envelope");
          if (result.rejected.length < MAX_REJECTED_LISTED)
            result.rejected.push({ line: index + 1, reason: parsed.reason });
          return;
        }
        const fingerprint = hash("sha256", text, "base64url");
        const refused =
          parsed.kind === "token"
            ? intake({ kind: "token", event: parsed.event, observedAtMs: parsed.observedAtMs }, fingerprint)
            : intake({ kind: "authz", event: parsed.event, observedAtMs: parsed.observedAtMs }, fingerprint);
        if (refused !== undefined) {
          rejectedTotal++;
          onRejected("invalid_envelope");
          if (result.rejected.length < MAX_REJECTED_LISTED)
            result.rejected.push({ line: index + 1, reason: refused });
          return;
        }
        result.accepted++;
      });
      const status = result.accepted > 0 ? 202 : 400;
      res
        .status(status)
        .json(
          status === 400
            ? { error: "no valid event in the body", details: result }
            : { ...result, rejectedTotal },
        );
    },
  );
  return router;
}

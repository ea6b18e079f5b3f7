import { describe, expect, it } from "vitest";
import { z } from "zod";
import { UsageError } from "../../errors/errors.js";
import { StagePublishError } from "../../ingest/kafka/kafka-stage-publisher.js";
import { RepublishError } from "../../promotion/promote-cohort.js";
import { WaiverRejectedError } from "../../review/review-service.js";
import { BadCursorError } from "../../store/drift-groups.js";
import { StoreError } from "../../store/store-errors.js";
import { errorAnswer, NotFoundError, RequestInvalidError } from "./api-errors.js";

describe("review API errors", () => {
  it.each([
    [RequestInvalidError.fromZod(z.object({ a: z.string() }).safeParse({}).error as z.ZodError), 400],
    [new WaiverRejectedError("expiresAt must be in the future"), 400],
    [new UsageError("promote one stage at a time"), 400],
    [new BadCursorError("cursor is not one this API issued"), 400],
    [new NotFoundError("no cohort"), 404],
    [new StoreError("connect ECONNREFUSED"), 503],
    [new StagePublishError("recorded but not published"), 503],
    [new RepublishError("the stage in force was not published again"), 409],
    [new Error("a bug"), 500],
  ])("%s answers %i", (err, status) => {
    expect(errorAnswer(err).status).toBe(status);
  });

  it("answers a bare ZodError with 500: it means stored data did not parse, not a bad request", () => {
    const stored = z.object({ id: z.string() }).safeParse({ id: 1 }).error as z.ZodError;
    expect(errorAnswer(stored)).toEqual({
      status: 500,
      body: { error: "internal error", details: "see the service log" },
    });
  });
});

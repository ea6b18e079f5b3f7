import { describe, expect, it } from "vitest";
import type { ObservedEvent } from "../../src/diff/pair-outcome.js";
import { createWorkerPool } from "../../src/runtime/worker-pool.js";
import { decodeRows } from "../../src/store/encoded-rows.js";
import { JudgementFailed } from "../../src/stream/evaluator.js";
import type { MadeOutcome } from "../../src/stream/outcome-maker.js";

const workerUrl = new URL("../fixtures/fake-differ-worker.mjs", import.meta.url);
const event = {} as ObservedEvent;
type Pool = Awaited<ReturnType<typeof createWorkerPool>>;
/** How the worker was told of the event: "held", "text" or "event" (the fake worker says). */
const how = (made: MadeOutcome) =>
  decodeRows<{ correlation_id: string }>(made.rows.outcome)[0]?.correlation_id;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Submits until a job succeeds (the worker is back) or the deadline passes. */
async function untilServed(pool: Pool, deadlineMs: number) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await pool.unpaired(pool.inline(event), "ok");
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

/** A one-worker pool on the fake worker, closed afterwards. */
async function withPool<T>(body: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = await createWorkerPool({ workers: 1, configFile: "unused", env: {}, workerUrl });
  try {
    return await body(pool);
  } finally {
    await pool.close();
  }
}

/** A one-worker pool on the fake worker whose watchdog gives up after 1 s, with what it reports. */
async function watchedPool(watchIntervalMs = 100, answerTimeoutMs = 1_000) {
  const exits: string[] = [];
  const problems: string[] = [];
  const pool = await createWorkerPool({
    workers: 1,
    configFile: "unused",
    env: {},
    workerUrl,
    answerTimeoutMs,
    watchIntervalMs,
    onWorkerProblem: (m) => problems.push(m),
    onWorkerExit: (reason) => exits.push(reason),
  });
  return { pool, exits, problems };
}

describe("the worker pool when a worker fails", () => {
  it("fails the jobs of a worker that died, fails new ones at once while it is down, then serves again", async () => {
    const problems: string[] = [];
    const pool = await createWorkerPool({
      workers: 1,
      configFile: "unused",
      env: {},
      workerUrl,
      onWorkerProblem: (m) => problems.push(m),
    });
    try {
      await expect(pool.unpaired(pool.inline(event), "crash")).rejects.toThrow(
        /a differ worker exited \(code 3\)/,
      );
      // Nothing waits on a dead thread: a job meanwhile is refused (the pipeline retries it) or served.
      const meanwhile = await pool.unpaired(pool.inline(event), "ok").then(
        () => "served",
        (e: Error) => e.message,
      );
      expect(["served", "no differ worker is up (restarting)"]).toContain(meanwhile);
      expect(await untilServed(pool, 10_000)).toMatchObject({
        rows: { outcome: expect.stringContaining("correlation_id") },
      });
      expect(problems[0]).toMatch(/exited \(code 3\); replacing it/);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it("blames the job being judged when its worker exits, and only that one: the others waited", async () => {
    await withPool(async (pool) => {
      // Submitted in one turn: one batch, judged in order, the thread ending at the second job.
      const settled = await Promise.allSettled(
        ["ok", "crash", "ok"].map((detail) => pool.unpaired(pool.inline(event), detail)),
      );
      const [before, culprit, after] = settled.map((s) => (s.status === "rejected" ? s.reason : s));
      expect(culprit).toBeInstanceOf(JudgementFailed);
      expect(culprit).toMatchObject({
        how: "exited",
        message: expect.stringMatching(/exited \(code 3\), while it was judging this request$/),
      });
      for (const waited of [before, after]) {
        expect(waited).toBeInstanceOf(Error);
        expect(waited).not.toBeInstanceOf(JudgementFailed);
        expect((waited as Error).message).toMatch(/exited \(code 3\)$/);
      }
    });
  }, 30_000);

  it("fails a job whose judgement threw with JudgementFailed, and keeps the worker", async () => {
    const exits: string[] = [];
    const pool = await createWorkerPool({
      workers: 1,
      configFile: "unused",
      env: {},
      workerUrl,
      onWorkerExit: (reason) => exits.push(reason),
    });
    try {
      const threw = await pool.unpaired(pool.inline(event), "judgement-throws").catch((e: unknown) => e);
      expect(threw).toBeInstanceOf(JudgementFailed);
      expect(threw).toMatchObject({ how: "threw", message: "its judgement threw TypeError: boom" });
      expect(how(await pool.unpaired(pool.inline(event), "ok"))).toBe("event");
      expect(exits).toEqual([]);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it("sends an event again as its line when the worker that held it was replaced, or lost it", async () => {
    await withPool(async (pool) => {
      const [a, b, c] = await pool.decode(["a", "b", "c"].map((text) => ({ text, lane: 0 })));
      if (!a?.ok || a.kind !== "authz" || !b?.ok || b.kind !== "authz" || !c?.ok || c.kind !== "authz")
        throw new Error("not decoded as events");
      expect(a.correlationId).toBe("a");
      expect(how(await pool.unpaired(a.handle, "ok"))).toBe("held");
      // Taken by the first job: a retry of it finds the id gone and goes again with the line.
      expect(how(await pool.unpaired(a.handle, "ok"))).toBe("text");
      pool.release([b.handle]);
      await pool.unpaired(pool.inline(event), "crash").catch(() => undefined);
      await untilServed(pool, 10_000);
      expect(how(await pool.unpaired(c.handle, "ok"))).toBe("text");
    });
  }, 30_000);

  it("decodes on this thread while no worker is up", async () => {
    await withPool(async (pool) => {
      await pool.unpaired(pool.inline(event), "crash").catch(() => undefined);
      const [line] = await pool.decode([{ text: "not json", lane: 0 }]);
      // The fake worker would have called it an event: this answer is the main thread's parser.
      expect(line).toMatchObject({ ok: false, reason: expect.stringMatching(/^not JSON/) });
    });
  }, 30_000);

  it("survives an uncaught error in a worker (the process keeps running) and replaces it", async () => {
    await withPool(async (pool) => {
      await pool.unpaired(pool.inline(event), "throw").catch(() => undefined);
      await sleep(200);
      expect(await untilServed(pool, 10_000)).toBeDefined();
    });
  }, 30_000);

  it("terminates a worker that answers nothing for the timeout while it has work, fails its jobs, and replaces it", async () => {
    const { pool, exits, problems } = await watchedPool();
    try {
      const startedAt = Date.now();
      const [hung, waiting] = await Promise.allSettled(
        ["hang", "ok"].map((detail) => pool.unpaired(pool.inline(event), detail)),
      ).then((all) => all.map((s) => (s.status === "rejected" ? s.reason : s)));
      expect(hung).toBeInstanceOf(JudgementFailed);
      expect(hung).toMatchObject({
        how: "unresponsive",
        message: expect.stringMatching(
          /did not answer its oldest job or decode for 1 s \(2 jobs and 0 decodes waiting\) and was terminated, while it was judging this request$/,
        ),
      });
      expect(waiting).not.toBeInstanceOf(JudgementFailed);
      expect((waiting as Error).message).toMatch(/and was terminated$/);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_000);
      expect(exits).toEqual(["unresponsive"]);
      expect(problems[0]).toMatch(/did not answer .* replacing it/);
      expect(await untilServed(pool, 10_000)).toBeDefined();
      // The replacement is watched too.
      await expect(pool.unpaired(pool.inline(event), "hang")).rejects.toThrow(/did not answer/);
      expect(exits).toEqual(["unresponsive", "unresponsive"]);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it("catches a job that never ends while its worker goes on answering other jobs", async () => {
    const { pool, exits } = await watchedPool();
    try {
      let settled = false;
      const stalled = pool.unpaired(pool.inline(event), "stall").finally(() => {
        settled = true;
      });
      stalled.catch(() => undefined);
      // Answers keep coming for the jobs after it: one job is stuck, while the thread judges
      // others of 150 ms each, most of the time.
      const others: unknown[] = [];
      while (!settled) {
        others.push(await pool.unpaired(pool.inline(event), "busy:150").catch((e: unknown) => e));
        await sleep(20);
      }
      await expect(stalled).rejects.toThrow(/did not answer its oldest job/);
      // It was waiting (on an await), not being judged; the one judged at the timeout had only
      // just started: nothing to blame either for.
      await expect(stalled).rejects.not.toBeInstanceOf(JudgementFailed);
      expect(others.filter((o) => o instanceof JudgementFailed)).toEqual([]);
      expect(exits).toEqual(["unresponsive"]);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it("does not blame a job that started judging shortly before the timeout and ended within half of it", async () => {
    const { pool, exits } = await watchedPool(100, 3_000);
    try {
      const stalled = pool.unpaired(pool.inline(event), "stall").catch((e: unknown) => e);
      await sleep(2_000);
      // Blocks the thread for 1.2 s, from 2 s into the stalled job's silence: the timeout (3 s,
      // looked at every 100 ms) comes during it, and it ends before it has run half the timeout.
      // (src/runtime/silence-watch.test.ts follows the same on a fake clock, tick by tick.)
      const busy = await pool.unpaired(pool.inline(event), "busy:1200").catch((e: unknown) => e);
      expect(await stalled).toBeInstanceOf(Error);
      expect(await stalled).not.toBeInstanceOf(JudgementFailed);
      // Answered, or failed with the rest when the worker was given up: never blamed.
      expect(busy).not.toBeInstanceOf(JudgementFailed);
      expect(exits).toEqual(["unresponsive"]);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it("blames a judgement that never ends though it began late in another job's silence", async () => {
    const { pool, exits } = await watchedPool(100, 3_000);
    try {
      const stalled = pool.unpaired(pool.inline(event), "stall").catch((e: unknown) => e);
      await sleep(2_000);
      // From 2 s into the stalled job's silence the thread is blocked for good (10 s, far past the
      // timeout): when the silence runs out it has run about 1 s; it is watched until it has run
      // half the timeout (1.5 s), then blamed, and the stalled job fails plainly.
      const wedged = await pool.unpaired(pool.inline(event), "busy:10000").catch((e: unknown) => e);
      expect(wedged).toBeInstanceOf(JudgementFailed);
      expect(wedged).toMatchObject({ how: "unresponsive" });
      expect(await stalled).toBeInstanceOf(Error);
      expect(await stalled).not.toBeInstanceOf(JudgementFailed);
      expect(exits).toEqual(["unresponsive"]);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it("decodes on this thread the lines a wedged worker never answered", async () => {
    const { pool } = await watchedPool();
    try {
      const [line] = await pool.decode([{ text: "hang", lane: 0 }]);
      // The fake worker would have called it an event: this answer is the main thread's parser.
      expect(line).toMatchObject({ ok: false, reason: expect.stringMatching(/^not JSON/) });
    } finally {
      await pool.close();
    }
  }, 30_000);

  it("leaves alone a worker that is slow but answers: silence counts from its latest answer", async () => {
    const { pool, exits } = await watchedPool(50);
    try {
      // Six batches of 400 ms each, all queued at once: the last answer comes 2.4 s after it was
      // asked, well past the timeout, but the worker never goes 1 s without answering.
      const jobs: Promise<unknown>[] = [];
      for (let i = 0; i < 6; i++) {
        jobs.push(pool.unpaired(pool.inline(event), "busy:400"));
        await new Promise((r) => setImmediate(r)); // each job in a batch of its own
      }
      const startedAt = Date.now();
      await Promise.all(jobs);
      expect(Date.now() - startedAt).toBeGreaterThan(1_500);
      expect(exits).toEqual([]);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it("refuses a worker that loaded other versions than the ones this process stamps", async () => {
    await expect(
      createWorkerPool({
        workers: 1,
        configFile: "unused",
        env: {
          FAKE_HASHES: JSON.stringify({
            policyBundleSha256: "q".repeat(64),
            legacyRulesSha256: "r".repeat(64),
          }),
        },
        workerUrl,
        expected: { policyBundleSha256: "p".repeat(64), legacyRulesSha256: "r".repeat(64) },
      }),
    ).rejects.toThrow(/loaded policy qqqqqqqqqqqq .* not the pppppppppppp/);
  });

  it("fails what is queued when closed", async () => {
    const pool = await createWorkerPool({ workers: 1, configFile: "unused", env: {}, workerUrl });
    const job = pool.unpaired(pool.inline(event), "ok").then(
      () => "served",
      (e: Error) => e.message,
    );
    await pool.close();
    expect(await job).toMatch(/closed/);
    await expect(pool.unpaired(pool.inline(event), "ok")).rejects.toThrow(/closed/);
  });
});

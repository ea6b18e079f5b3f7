import type { KeyObject } from "node:crypto";
import { DEMO_LEGACY_JWT_SECRET } from "../demo-secrets.js";
import { lineWithoutResourceType, truncatedLine } from "./event-line.js";
import { expectedPairFindings, expectedUnpairedFinding } from "./expected-findings.js";
import { type ExpectedManifest, ExpectedManifestBuilder } from "./expected-manifest.js";
import { NEW_KEY_ID } from "./issuers.js";
import { hs256Signer, loadDemoPrivateKey, rs256Signer } from "./jwt-signers.js";
import { LifecycleMirror } from "./lifecycle.js";
import { type MirroredRequest, RequestSynthesizer } from "./mirrored-request.js";
import type { PlantedCase } from "./planted-cases.js";
import { Prng } from "./prng.js";
import { SessionTokenMint } from "./session-tokens.js";
import { planSpecialEvents, type SpecialEvent } from "./special-events.js";
import { buildWorld } from "./world.js";

export interface DemoTrafficOptions {
  /** Exact number of NDJSON lines to write (at least 200). */
  events: number;
  seed?: number;
  /** Event time of the first request (RFC 3339). */
  start?: string;
  /** Size of the principal pool. */
  principals?: number;
  /** Mean request rate in event time. */
  requestsPerSecond?: number;
  /** HS256 secret of the legacy IdP (default: the demo-only constant). */
  legacySecret?: string;
  /** RS256 private key of the new IdP (default: the committed demo key). */
  newPrivateKey?: KeyObject;
  /** lifecycle.windowSeconds of the config the traffic is judged with (default: the demo's, 60). */
  lifecycleWindowSeconds?: number;
}

export const DEMO_DEFAULTS = {
  events: 20_000,
  seed: 20_260_302,
  start: "2026-03-02T07:00:00.000Z",
  principals: 2_000,
  requestsPerSecond: 25,
} as const;

/** The generated demo traffic: iterate `lines` once, then read the ground truth. */
export interface DemoTraffic {
  /** NDJSON lines without their newline, in file order. */
  readonly lines: Iterable<string>;
  /** The ground-truth manifest; complete once `lines` has been iterated to the end. */
  expected(): ExpectedManifest;
  /** Tokens signed so far (two per principal per refresh slot, never per event). */
  tokensSigned(): number;
  /**
   * The token lifecycle events of both CIAMs (tokens.ndjson), in event-time order; complete once
   * `lines` has been iterated to the end. Authorization events name their session too.
   */
  lifecycleLines(): readonly string[];
}

/**
 * Deterministic mirrored traffic of the health-tech world: same options, same bytes. Tokens are
 * signed once per principal per hour, so a million events take seconds, not minutes.
 */
export function generateDemoTraffic(options: DemoTrafficOptions): DemoTraffic {
  const generator = new TrafficGenerator(options);
  return {
    lines: generator.lines(),
    expected: () => generator.expected(),
    tokensSigned: () => generator.mint.signed,
    lifecycleLines: () => generator.lifecycle.lines,
  };
}

/** How many requests later a duplicate is redelivered (well inside the pairing window). */
const DUPLICATE_DELAY_REQUESTS = 2;

interface PendingDuplicate {
  dueRequest: number;
  line: string;
  copyOfLine: number;
  correlationId: string;
}

class TrafficGenerator {
  readonly mint: SessionTokenMint;
  readonly lifecycle: LifecycleMirror;
  private readonly settings: ExpectedManifest["generator"];
  private readonly requests: RequestSynthesizer;
  private readonly rng: Prng;
  private readonly manifest: ExpectedManifestBuilder;
  private lineCount = 0;
  private done = false;

  constructor(options: DemoTrafficOptions) {
    const startMs = Date.parse(options.start ?? DEMO_DEFAULTS.start);
    if (!Number.isFinite(startMs)) throw new RangeError(`start is not an RFC 3339 time: ${options.start}`);
    this.settings = {
      seed: options.seed ?? DEMO_DEFAULTS.seed,
      events: options.events,
      start: new Date(startMs).toISOString(),
      principals: options.principals ?? DEMO_DEFAULTS.principals,
      requestsPerSecond: options.requestsPerSecond ?? DEMO_DEFAULTS.requestsPerSecond,
    };
    const signers = {
      legacy: hs256Signer(options.legacySecret ?? DEMO_LEGACY_JWT_SECRET),
      next: rs256Signer(options.newPrivateKey ?? loadDemoPrivateKey(), NEW_KEY_ID),
    };
    this.mint = new SessionTokenMint(signers, Math.floor(startMs / 1000), this.settings.seed);
    this.rng = Prng.derive(this.settings.seed, "traffic");
    const world = buildWorld(this.settings.seed, this.settings.principals);
    this.lifecycle = new LifecycleMirror(
      Prng.derive(this.settings.seed, "lifecycle"),
      world.principals,
      options.lifecycleWindowSeconds,
    );
    this.requests = new RequestSynthesizer(world, this.rng, this.mint, (p, at, tokens) =>
      this.lifecycle.sessionFor(p, at, tokens),
    );
    this.manifest = new ExpectedManifestBuilder(this.settings);
  }

  expected(): ExpectedManifest {
    if (!this.done) throw new Error("the manifest is complete only after every line was generated");
    return this.manifest.build(this.lineCount, {
      lines: this.lifecycle.lines.length,
      findings: [...this.lifecycle.expected],
    });
  }

  *lines(): Generator<string> {
    const plan = planSpecialEvents(this.settings.events);
    const meanGapMs = 1000 / this.settings.requestsPerSecond;
    const duplicates: PendingDuplicate[] = [];
    let timeMs = Date.parse(this.settings.start);
    for (let r = 0; r < plan.requests; r++) {
      while ((duplicates[0]?.dueRequest ?? Number.POSITIVE_INFINITY) <= r) {
        yield this.duplicateLine(duplicates.shift() as PendingDuplicate);
      }
      timeMs += this.rng.exponential(meanGapMs);
      const special = plan.byRequest.get(r);
      const request = this.requests.next(r, Math.round(timeMs), special);
      this.record(request, special);
      yield* this.requestLines(request, special, (d) =>
        duplicates.push({ ...d, dueRequest: r + DUPLICATE_DELAY_REQUESTS }),
      );
    }
    for (const d of duplicates) yield this.duplicateLine(d);
    this.done = true;
  }

  /** The request's lines, with a planted malformed line before them or a conflict after them. */
  private *requestLines(
    request: MirroredRequest,
    special: SpecialEvent | undefined,
    redeliverLater: (d: Omit<PendingDuplicate, "dueRequest">) => void,
  ): Generator<string> {
    const { correlationId, events } = request;
    const first = events[0]?.line ?? "";
    if (special?.type === "malformed" && special.variant === "truncated") {
      yield this.rejectedLine(truncatedLine(first), "not JSON", correlationId, "malformed-truncated");
    }
    if (special?.type === "malformed" && special.variant === "missing-resource-type") {
      const line = lineWithoutResourceType(first);
      yield this.rejectedLine(
        line,
        "request.resource.type",
        correlationId,
        "malformed-missing-resource-type",
      );
    }
    for (const e of events) {
      yield this.emit(e.line);
      if (special?.type === "duplicate" && e.side === special.side) {
        redeliverLater({ line: e.line, copyOfLine: this.lineCount, correlationId });
      }
    }
    if (special?.type === "conflict" && request.conflictLine !== undefined) {
      yield this.rejectedLine(request.conflictLine, "a different legacy event", correlationId, "conflict");
    }
  }

  private record(request: MirroredRequest, special: SpecialEvent | undefined): void {
    const { principal, planned, observed, correlationId } = request;
    if (special?.type === "unpaired") {
      this.manifest.unpairedEvent(expectedUnpairedFinding(principal, special.seen, correlationId));
    } else {
      this.manifest.pair(principal.cohort, expectedPairFindings(principal, planned, observed, correlationId));
    }
  }

  private emit(line: string): string {
    this.lineCount++;
    return line;
  }

  private duplicateLine(d: PendingDuplicate): string {
    this.manifest.duplicate({
      line: this.lineCount + 1,
      duplicateOfLine: d.copyOfLine,
      correlationId: d.correlationId,
    });
    return this.emit(d.line);
  }

  private rejectedLine(
    line: string,
    reasonContains: string,
    correlationId: string,
    planted: PlantedCase,
  ): string {
    this.manifest.rejectedLine({ line: this.lineCount + 1, reasonContains, correlationId, planted });
    return this.emit(line);
  }
}

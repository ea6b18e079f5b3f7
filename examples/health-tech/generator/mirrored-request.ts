import type { Side } from "../../../src/contracts/index.js";
import { eventLine } from "./event-line.js";
import type { ObservedDecisions } from "./expected-findings.js";
import type { Principal, PrincipalKind } from "./principal.js";
import { type Prng, WeightedTable } from "./prng.js";
import { type PlannedRequest, SCENARIOS, type Scenario, scenarioNamed } from "./scenarios.js";
import type { SessionTokenMint, SessionTokens } from "./session-tokens.js";
import type { SpecialEvent } from "./special-events.js";
import type { DemoWorld } from "./world.js";

/** One side's event of a request, as a ready NDJSON line. */
export interface MirroredEvent {
  side: Side;
  atMs: number;
  line: string;
}

/** One end-user request as both gateways mirrored it. */
export interface MirroredRequest {
  principal: Principal;
  planned: PlannedRequest;
  correlationId: string;
  observed: ObservedDecisions;
  /** The sides seen, in event-time order (one side for a planted unpaired request). */
  events: MirroredEvent[];
  /** For a planted conflict: the legacy event re-stamped, same correlation id, other bytes. */
  conflictLine: string | undefined;
}

/** Share of requests per kind of principal: patients most, clinicians and nurses much, the rest less. */
const KIND_MIX: readonly (readonly [PrincipalKind, number])[] = [
  ["patient", 41],
  ["clinician", 17],
  ["nurse", 15],
  ["caregiver", 9],
  ["service", 7],
  ["billing", 5],
  ["admin", 4],
  ["break-glass", 1.5],
  ["partner", 0.6],
];

/** Most mirrors attach the live decision; some gateways do not. */
const OBSERVED_DECISION_SHARE = 0.93;
/** The new side is seen between 150 ms before and 400 ms after the legacy side. */
const NEW_SIDE_OFFSET_MS = { min: -150, max: 400 } as const;
const CONFLICT_RESTAMP_MS = 1_200;

/** Draws who asks what, and renders both sides' events of the request. */
export class RequestSynthesizer {
  private readonly kinds = new WeightedTable(KIND_MIX);
  private readonly scenarios = new Map<PrincipalKind, WeightedTable<Scenario>>();

  constructor(
    private readonly world: DemoWorld,
    private readonly rng: Prng,
    private readonly mint: SessionTokenMint,
    /** The login each request belongs to (the lifecycle mirror); none when omitted. */
    private readonly sessionFor?: (p: Principal, atMs: number, tokens: SessionTokens) => string,
  ) {
    for (const [kind, list] of Object.entries(SCENARIOS) as [PrincipalKind, readonly Scenario[]][]) {
      this.scenarios.set(kind, new WeightedTable(list.map((s) => [s, s.weight] as const)));
    }
  }

  /** Request number `r` at event time `atMs`, shaped by its planted special event if any. */
  next(r: number, atMs: number, special: SpecialEvent | undefined): MirroredRequest {
    const principal = this.principalFor(special);
    const planned = this.plan(principal, special);
    const correlationId = `${this.rng.hex(24)}${r.toString(16).padStart(8, "0")}`;
    const tokens = this.mint.tokensAt(principal, atMs);
    const sessionId = this.sessionFor?.(principal, atMs, tokens);
    const span = NEW_SIDE_OFFSET_MS.max - NEW_SIDE_OFFSET_MS.min + 1;
    const at: Record<Side, number> = {
      legacy: atMs,
      new: atMs + NEW_SIDE_OFFSET_MS.min + this.rng.int(span),
    };
    const token: Record<Side, string> = { legacy: tokens.legacy, new: tokens.next };
    const { action, resource, context } = planned;
    const requestJson = JSON.stringify({ action, resource, context });
    const observed = this.observedDecisions(principal, planned, special);
    const line = (side: Side, atMsOf: number) =>
      eventLine(side, correlationId, atMsOf, token[side], requestJson, observed[side], sessionId);
    const sides: Side[] = special?.type === "unpaired" ? [special.seen] : ["legacy", "new"];
    const events = sides.map((side) => ({ side, atMs: at[side], line: line(side, at[side]) }));
    events.sort((a, b) => a.atMs - b.atMs);
    const conflictLine =
      special?.type === "conflict" ? line("legacy", atMs + CONFLICT_RESTAMP_MS) : undefined;
    return { principal, planned, correlationId, observed, events, conflictLine };
  }

  private principalFor(special: SpecialEvent | undefined): Principal {
    if (special?.type === "observed-drift" || special?.type === "unpaired") {
      return this.rng.pick(this.world.cleanByKind[special.kind]);
    }
    return this.rng.pick(this.world.byKind[this.kinds.pick(this.rng)]);
  }

  private plan(p: Principal, special: SpecialEvent | undefined): PlannedRequest {
    if (special?.type === "observed-drift") {
      return scenarioNamed(p.kind, special.scenario).plan(p, this.world, this.rng);
    }
    const table = this.scenarios.get(p.kind);
    if (!table) throw new Error(`no scenarios for ${p.kind}`);
    for (;;) {
      const scenario = table.pick(this.rng);
      if (!scenario.applies || scenario.applies(p)) return scenario.plan(p, this.world, this.rng);
    }
  }

  /** Each side's live decision equals its model, except on a planted observed drift. */
  private observedDecisions(p: Principal, planned: PlannedRequest, special: SpecialEvent | undefined) {
    const modelled: Record<Side, boolean> = {
      legacy: planned.legacyAllow,
      // The new CIAM refuses a token with the wrong audience before any policy runs.
      new: p.drift.wrongAudience ? false : planned.newAllow,
    };
    const observed: ObservedDecisions = { legacy: undefined, new: undefined };
    for (const side of ["legacy", "new"] as const) {
      if (special?.type === "observed-drift" && special.side === side) observed[side] = !modelled[side];
      else if (this.rng.chance(OBSERVED_DECISION_SHARE)) observed[side] = modelled[side];
    }
    return observed;
  }
}

import { type Chart, COHORT_OF, type Principal, type PrincipalKind, tenantOf } from "./principal.js";
import type { Prng } from "./prng.js";

type PrincipalFields = Partial<Principal> & { tenant: string };

/** Creates principals with distinct ids and their own token refresh phase. */
export class Population {
  readonly principals: Principal[] = [];
  private legacyCounter = 100_000;
  private readonly newIds = new Set<string>();

  constructor(readonly rng: Prng) {}

  add(kind: PrincipalKind, fields: PrincipalFields): Principal {
    const legacySub = fields.legacySub ?? this.nextLegacyId();
    const p: Principal = {
      index: this.principals.length,
      kind,
      cohort: COHORT_OF[kind],
      legacySub,
      newSub: fields.newSub ?? this.nextNewId(),
      clientId: undefined,
      legacyRoles: [],
      newRoles: [],
      acr: undefined,
      proxyFor: [],
      ownChart: undefined,
      panel: [],
      proxies: [],
      drift: { jitMigrated: false, proxyNotMigrated: false, tenantClaimMissing: false, wrongAudience: false },
      tokenPhaseSeconds: this.rng.int(3600),
      ...fields,
    };
    this.principals.push(p);
    return p;
  }

  /** `n` people of one kind, spread over the tenants in turn. */
  staff(kind: PrincipalKind, n: number, legacyRoles: string[], newRoles: string[], acr: string): Principal[] {
    return Array.from({ length: n }, (_, i) =>
      this.add(kind, { tenant: tenantOf(i), legacyRoles, newRoles, acr }),
    );
  }

  client(kind: "service" | "partner", clientId: string, tenant: string): Principal {
    const roles = [kind];
    return this.add(kind, {
      tenant,
      legacySub: clientId,
      newSub: clientId,
      clientId,
      legacyRoles: roles,
      newRoles: roles,
    });
  }

  /** Legacy ids are sequential: u-100001, u-100002, ... */
  private nextLegacyId(): string {
    this.legacyCounter++;
    return `u-${this.legacyCounter}`;
  }

  /** New ids are random: n-<16 hex>, never issued twice. */
  private nextNewId(): string {
    for (;;) {
      const id = `n-${this.rng.hex(16)}`;
      if (!this.newIds.has(id)) {
        this.newIds.add(id);
        return id;
      }
    }
  }
}

/** Assigns each chart a primary clinician, two nurses and, for one in four, an emergency clinician. */
export class CareTeams {
  private readonly charted = new Map<string, number>();

  constructor(
    private readonly clinicians: Principal[],
    private readonly nurses: Principal[],
    private readonly emergency: Principal[],
  ) {}

  chartFor(ownerId: string, tenant: string): Chart {
    const j = this.charted.get(tenant) ?? 0;
    this.charted.set(tenant, j + 1);
    const of = (staff: Principal[]) => staff.filter((s) => s.tenant === tenant);
    const nurses = of(this.nurses);
    const emergency = of(this.emergency);
    const team = [
      roundRobin(of(this.clinicians), j),
      roundRobin(nurses, j),
      roundRobin(nurses, j + Math.ceil(nurses.length / 2)),
    ];
    if (j % 4 === 0 && emergency.length > 0) team.push(roundRobin(emergency, j / 4));
    const chart: Chart = { ownerId, tenant, careTeam: [...new Set(team.map((s) => s.legacySub))] };
    for (const member of new Set(team)) member.panel.push(chart);
    return chart;
  }
}

function roundRobin(staff: Principal[], j: number): Principal {
  const s = staff[j % staff.length];
  if (!s) throw new RangeError("no staff in this tenant");
  return s;
}

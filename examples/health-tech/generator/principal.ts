/** Kinds of principals; each maps to one cohort of examples/health-tech/config.yaml. */
export const PRINCIPAL_KINDS = [
  "patient",
  "caregiver",
  "clinician",
  "nurse",
  "break-glass",
  "billing",
  "admin",
  "service",
  "partner",
] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

export const COHORT_OF: Readonly<Record<PrincipalKind, string>> = {
  patient: "patients",
  caregiver: "caregivers",
  clinician: "clinicians",
  nurse: "nurses",
  "break-glass": "break-glass",
  billing: "billing",
  admin: "admins",
  service: "service-accounts",
  partner: "partners",
};

export const TENANTS = ["t-riverside", "t-lakeview", "t-hillcrest"] as const;

/** A patient's chart: every clinical resource of that patient carries these attributes. */
export interface Chart {
  ownerId: string;
  tenant: string;
  /** Legacy ids of the clinicians and nurses treating the patient. */
  careTeam: string[];
}

/** The planted migration defects a principal carries (docs/demo.md). */
export interface PrincipalDrift {
  /** Created just in time by the new IdP: new token without legacy_sub, and a new sub. */
  jitMigrated: boolean;
  /** Caregiver whose proxy relationships were not migrated: new token without proxy_for. */
  proxyNotMigrated: boolean;
  /** Service client imported without its tenant attribute: new token without tenant. */
  tenantClaimMissing: boolean;
  /** Uses the nurse-station tablet client: new tokens carry the wrong audience. */
  wrongAudience: boolean;
  /** Nurse whose new account kept a pre-merger address: user_email differs from the legacy email. */
  staleEmail?: boolean;
}

export interface Principal {
  index: number;
  kind: PrincipalKind;
  cohort: string;
  /** `sub` of the legacy token: u-NNNNNN, or the client id of a client-credentials client. */
  legacySub: string;
  /** `sub` of the new token: n-<hex>, or the same client id. */
  newSub: string;
  /** Set for client-credentials clients (service accounts, partners). */
  clientId: string | undefined;
  tenant: string;
  legacyRoles: string[];
  newRoles: string[];
  acr: string | undefined;
  /** Legacy ids of the patients a caregiver acts for. */
  proxyFor: string[];
  /** The principal's own chart (patients, and caregivers who are patients too). */
  ownChart: Chart | undefined;
  /** Charts whose care team includes this principal (clinicians, nurses, break-glass). */
  panel: Chart[];
  /** Charts of the patients a caregiver acts for. */
  proxies: Chart[];
  drift: PrincipalDrift;
  /** Offset of this principal's token refresh within the hour, in seconds. */
  tokenPhaseSeconds: number;
}

export const tenantOf = (i: number): string => TENANTS[i % TENANTS.length] as string;

export function hasDrift(p: Principal): boolean {
  const d = p.drift;
  return d.jitMigrated || d.proxyNotMigrated || d.tenantClaimMissing || d.wrongAudience;
}

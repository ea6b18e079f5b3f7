import type { GateCheck, GateCheckId } from "../../contracts/index.js";

/** What a person calls each check, in CI logs, summaries and JUnit test names. */
export const CHECK_LABEL: Readonly<Record<GateCheckId, string>> = {
  evidence: "minimum evidence",
  overPermission: "over-permission budget",
  mismatch: "mismatch rate bound",
  unpaired: "unpaired rate",
  drift: "observed drift rate",
  coverage: "coverage of required request paths",
  latent: "latent over-permission budget",
  lifecycle: "token lifecycle drift budgets",
  setAside: "requests set aside unjudged",
  waivers: "waivers",
};

export const OUTCOME_MARK: Readonly<Record<GateCheck["outcome"], string>> = {
  pass: "ok",
  fail: "FAIL",
  insufficient: "not yet",
  info: "info",
};

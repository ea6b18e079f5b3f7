import { EntitlementDiffError } from "../errors/errors.js";

/**
 * The policy answered with something the input/output contract (docs/policy.md) does not allow.
 * Deliberately not a deny: a policy that returns the wrong shape is broken, and treating it as
 * "deny" would hide that behind a wall of under_permission findings. Exit 78 (EX_CONFIG): the
 * fix is in the policy.
 */
export class PolicyResultError extends EntitlementDiffError {
  readonly exitCode = 78;
  override name = "PolicyResultError";

  constructor(
    readonly entrypoint: string,
    readonly result: unknown,
    readonly problem: string,
  ) {
    super(`policy entrypoint ${entrypoint} returned ${describeValue(result)}: ${problem}`);
  }
}

/** The Wasm module aborted (out of memory after a retry, a Rego runtime conflict, a missing builtin). Exit 70 (EX_SOFTWARE). */
export class PolicyEvaluationError extends EntitlementDiffError {
  readonly exitCode = 70;
  override name = "PolicyEvaluationError";
}

/**
 * The policy could not decide this input: a Rego runtime error on it (conflicting outputs of a
 * complete rule, a builtin that fails on its arguments), or an input too large for the memory
 * limit even on a fresh instance. Unlike a closed evaluator or a module that cannot be
 * instantiated, it depends on the input only: evaluating the same request again fails again.
 */
export class PolicyInputError extends PolicyEvaluationError {
  override name = "PolicyInputError";
}

/**
 * Whether an error means the policy could not decide this one input, so that trying again cannot
 * help: the diff records it as a finding (docs/policy.md) instead of failing the run or retrying.
 */
export function isUndecidableInput(error: unknown): error is PolicyInputError | PolicyResultError {
  return error instanceof PolicyInputError || error instanceof PolicyResultError;
}

const MAX_DESCRIBED_LENGTH = 200;

/** A short JSON rendering of what came back, so the error says what the policy actually produced. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_DESCRIBED_LENGTH ? `${text.slice(0, MAX_DESCRIBED_LENGTH)}…` : text;
}

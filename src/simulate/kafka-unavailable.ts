import { EntitlementDiffError } from "../errors/errors.js";

/** The brokers could not be reached or refused what was produced. Exit 69 (EX_UNAVAILABLE). */
export class KafkaUnavailableError extends EntitlementDiffError {
  readonly exitCode = 69;
  override name = "KafkaUnavailableError";
}

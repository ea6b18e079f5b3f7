import type { Registry } from "prom-client";
import type { Config } from "../../contracts/index.js";
import type { Logger } from "../../logging/logger.js";
import type { DeployedVersions } from "../../promotion/deployed-versions.js";
import type { GateStore } from "../../promotion/evaluate-cohort-gate.js";
import type { StagePublisher } from "../../promotion/promote-cohort.js";
import type { ReviewService } from "../../review/review-service.js";

/** What the review API routes are built from. */
export interface ReviewRouteDependencies {
  review: ReviewService;
  /**
   * What promoteCohort needs besides the publisher: the same store, config and deployed versions
   * the review service was built from (the service reads; a promotion also moves the stage).
   */
  promotion: { store: GateStore; config: Pick<Config, "gates">; deployed: DeployedVersions };
  /** Where a promotion hands its transition to the traffic router (Kafka in `serve`). */
  publisher: StagePublisher;
  log: Logger;
  /** What GET /metrics serves: the service's own registry. */
  registry: Registry;
  /** The clock of gate decisions and waiver checks; tests pin it. */
  now?: () => Date;
}

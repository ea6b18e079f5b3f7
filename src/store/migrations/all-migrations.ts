import { initialMigration } from "./001-initial.js";
import { promotionMigration } from "./002-promotion.js";
import { rootCauseMigration } from "./003-root-cause.js";
import { latentEntitlementsMigration } from "./004-latent-entitlements.js";
import { replayFactsMigration } from "./005-replay-facts.js";
import { sessionLifecycleMigration } from "./006-session-lifecycle.js";
import { stageChainMigration } from "./007-stage-chain.js";
import { setAsidePairsMigration } from "./008-set-aside-pairs.js";
import type { Migration } from "./migration.js";

/** Every schema version in order. Append only: a released migration is never edited or renumbered. */
export const MIGRATIONS: readonly Migration[] = [
  initialMigration,
  promotionMigration,
  rootCauseMigration,
  latentEntitlementsMigration,
  replayFactsMigration,
  sessionLifecycleMigration,
  stageChainMigration,
  setAsidePairsMigration,
];

import { freshClientOverEmbedded, freshEmbedded, freshHttp } from "./fresh-store.js";
import { describeLatentStore, describeReplayFactsStore } from "./latent-suite.js";
import { describePromotionStore } from "./promotion-suite.js";
import { describeReviewStore } from "./review-suite.js";
import { describeSessionLifecycleStore } from "./session-lifecycle-suite.js";
import { describeStore } from "./store-suite.js";

describeStore("embedded (chdb)", freshEmbedded);
describeStore(
  "clickhouse driver over the embedded engine (@clickhouse/client + chdb/connection)",
  freshClientOverEmbedded,
);
// Only where a server is given: this variant is not registered at all otherwise (docs/store.md).
if (process.env.CLICKHOUSE_URL)
  describeStore(`clickhouse over HTTP (${new URL(process.env.CLICKHOUSE_URL).host})`, freshHttp);

describePromotionStore("embedded (chdb)", freshEmbedded);
describePromotionStore("clickhouse driver over the embedded engine", freshClientOverEmbedded);
if (process.env.CLICKHOUSE_URL)
  describePromotionStore(`clickhouse over HTTP (${new URL(process.env.CLICKHOUSE_URL).host})`, freshHttp);

describeReviewStore("embedded (chdb)", freshEmbedded);
describeReviewStore("clickhouse driver over the embedded engine", freshClientOverEmbedded);
if (process.env.CLICKHOUSE_URL)
  describeReviewStore(`clickhouse over HTTP (${new URL(process.env.CLICKHOUSE_URL).host})`, freshHttp);

describeLatentStore("embedded (chdb)", freshEmbedded);
describeLatentStore("clickhouse driver over the embedded engine", freshClientOverEmbedded);
if (process.env.CLICKHOUSE_URL)
  describeLatentStore(`clickhouse over HTTP (${new URL(process.env.CLICKHOUSE_URL).host})`, freshHttp);

describeReplayFactsStore("embedded (chdb)", freshEmbedded);
describeReplayFactsStore("clickhouse driver over the embedded engine", freshClientOverEmbedded);
if (process.env.CLICKHOUSE_URL)
  describeReplayFactsStore(`clickhouse over HTTP (${new URL(process.env.CLICKHOUSE_URL).host})`, freshHttp);

describeSessionLifecycleStore("embedded (chdb)", freshEmbedded);
describeSessionLifecycleStore("clickhouse driver over the embedded engine", freshClientOverEmbedded);
if (process.env.CLICKHOUSE_URL)
  describeSessionLifecycleStore(
    `clickhouse over HTTP (${new URL(process.env.CLICKHOUSE_URL).host})`,
    freshHttp,
  );

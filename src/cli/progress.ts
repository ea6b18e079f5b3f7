import type { ReplayProgress } from "../replay/run-replay.js";

/** A one-line progress indicator on stderr, for people watching a terminal (never in CI logs). */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): {
  update(p: ReplayProgress): void;
  done(): void;
} {
  const started = Date.now();
  let shown = false;
  return {
    update(p) {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      const pct = p.totalBytes > 0 ? ((100 * p.bytesRead) / p.totalBytes).toFixed(1) : "?";
      const rate = Math.round(p.events / seconds).toLocaleString("en-US");
      stream.write(
        `\r${pct}%  ${p.events.toLocaleString("en-US")} events  ${p.pairs.toLocaleString("en-US")} pairs  ${rate} events/s `,
      );
      shown = true;
    },
    done() {
      if (shown) stream.write("\n");
    },
  };
}

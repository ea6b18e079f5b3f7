import type { OffsetTracker, TopicPartition } from "./offset-tracker.js";

export type CommitOffsets = (offsets: (TopicPartition & { offset: number })[]) => Promise<void>;

/**
 * Commits what the tracker says is committable, one commit at a time. A client retries a commit
 * inside its promise (kafkajs for up to ~40 s of broker outage), so two commits in flight can
 * land in either order: the earlier, lower offsets landing last would move the group's committed
 * offset back, and nothing would ever commit the later ones again once traffic stops.
 */
export class OffsetCommitter {
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly tracker: OffsetTracker,
    private readonly send: CommitOffsets,
  ) {}

  /** True while a commit is on its way (a periodic caller can skip a turn). */
  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  /**
   * Commits everything committable now, after the commit in flight (if any) has settled. Rejects
   * when this commit fails; its offsets are offered again by the next call.
   */
  async commit(): Promise<void> {
    while (this.inFlight) await this.inFlight.catch(() => undefined);
    const offsets = this.tracker.takeCommittable();
    if (offsets.length === 0) return;
    const sent = this.send(offsets).catch((error: unknown) => {
      this.tracker.commitFailed(offsets);
      throw error;
    });
    this.inFlight = sent.finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * `commit`, waited for at most `ms`: true once committed, false when it did not finish in time
   * (it goes on; nothing past what it commits is lost, only re-read after a restart).
   */
  async commitWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([this.commit().then(() => true as const), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

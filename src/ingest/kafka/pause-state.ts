import { type TopicPartition, tpKey } from "../../stream/offset-tracker.js";

/**
 * Which partitions the pipeline wants paused, kept on our side: kafkajs forgets its pauses when it
 * restarts a crashed consumer, and only accepts pauses while it is in a group. Same rules as
 * kafkajs: pausing everything also covers partitions assigned later, and resuming one partition
 * while everything is paused exempts just that one.
 */
export class PauseState {
  private everything = false;
  private readonly paused = new Map<string, TopicPartition>();
  private readonly exempt = new Map<string, TopicPartition>();

  pause(partitions?: readonly TopicPartition[]): void {
    if (partitions === undefined) {
      this.everything = true;
      this.paused.clear();
      this.exempt.clear();
      return;
    }
    for (const tp of partitions) {
      this.paused.set(tpKey(tp), copy(tp));
      this.exempt.delete(tpKey(tp));
    }
  }

  resume(partitions?: readonly TopicPartition[]): void {
    if (partitions === undefined) {
      this.everything = false;
      this.paused.clear();
      this.exempt.clear();
      return;
    }
    for (const tp of partitions) {
      this.paused.delete(tpKey(tp));
      if (this.everything) this.exempt.set(tpKey(tp), copy(tp));
    }
  }

  isPaused(tp: TopicPartition): boolean {
    const key = tpKey(tp);
    return (this.everything && !this.exempt.has(key)) || this.paused.has(key);
  }

  /** The state as pause/resume calls that rebuild it from "nothing paused". */
  snapshot(): { everything: boolean; exempt: TopicPartition[]; paused: TopicPartition[] } {
    return {
      everything: this.everything,
      exempt: [...this.exempt.values()],
      paused: [...this.paused.values()],
    };
  }
}

const copy = (tp: TopicPartition): TopicPartition => ({ topic: tp.topic, partition: tp.partition });

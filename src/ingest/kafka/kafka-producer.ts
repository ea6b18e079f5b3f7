import { Partitioners } from "kafkajs";
import { connectOnce } from "./connect-once.js";
import { createKafkajsClient, type KafkajsClientOptions } from "./kafkajs-client.js";

/** A message of the mirrored traffic: keyed by correlationId so both sides of a request co-partition. */
export interface KeyedMessage {
  key: string | Buffer | null;
  value: string | Buffer | null;
}

/** Produces mirrored traffic (the simulator, tests); `send` resolves once the brokers acknowledged it. */
export interface MirrorProducer {
  send(topic: string, messages: readonly KeyedMessage[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The partitioner of every producer of ours: kafkajs 2's `DefaultPartitioner`, the Java client's
 * rule (murmur2 of the key bytes, seed 0x9747b28c, `& 0x7fffffff`, modulo the partition count;
 * checked against Kafka's own test vectors in kafka-producer.test.ts). Gateways must key the
 * mirrors the same way: Java producers do by default; librdkafka-based ones need
 * `partitioner=murmur2_random` (their default is `consistent_random`, CRC32); see docs/kafka.md.
 */
export const MIRROR_PARTITIONER = Partitioners.DefaultPartitioner;

export function createKafkajsMirrorProducer(options: KafkajsClientOptions): MirrorProducer {
  const producer = createKafkajsClient(options).producer({
    createPartitioner: MIRROR_PARTITIONER,
    allowAutoTopicCreation: false,
  });
  const connected = connectOnce(producer);
  return {
    async send(topic, messages) {
      if (messages.length === 0) return;
      await connected();
      await producer.send({ topic, acks: -1, messages: messages.map(({ key, value }) => ({ key, value })) });
    },
    close: () => producer.disconnect(),
  };
}

package io.llmsentinel.functions.model;

/**
 * A Kafka record as it arrived, before it is read: the bytes and where they came from, so a message
 * that cannot be read can be dead-lettered with its origin.
 */
public class RawMessage {
    public String topic;
    public int partition;
    public long offset;
    public long kafkaTimestampMs;
    public byte[] value;

    public RawMessage() {}

    public RawMessage(
            String topic, int partition, long offset, long kafkaTimestampMs, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.kafkaTimestampMs = kafkaTimestampMs;
        this.value = value;
    }
}

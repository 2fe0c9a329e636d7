package io.llmsentinel.functions.model;

/**
 * Input that could not be used, with the reason, the original bytes and their origin. Written to
 * the dead-letter topic so nothing is dropped silently.
 */
public class DeadLetter {
    /**
     * A short machine-readable reason, one of {@link io.llmsentinel.functions.read.InvalidReason}.
     */
    public String reason;

    /** What exactly was wrong, for the person reading the dead-letter topic. */
    public String detail;

    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;
    public long sourceTimestampMs;
    public byte[] payload;
    public long failedAtMs;

    public DeadLetter() {}

    public static DeadLetter of(RawMessage raw, String reason, String detail) {
        DeadLetter d = new DeadLetter();
        d.reason = reason;
        d.detail = detail;
        d.sourceTopic = raw.topic;
        d.sourcePartition = raw.partition;
        d.sourceOffset = raw.offset;
        d.sourceTimestampMs = raw.kafkaTimestampMs;
        d.payload = raw.value;
        d.failedAtMs = System.currentTimeMillis();
        return d;
    }

    @Override
    public String toString() {
        return "DeadLetter{"
                + reason
                + ": "
                + detail
                + " @"
                + sourceTopic
                + "/"
                + sourcePartition
                + "/"
                + sourceOffset
                + "}";
    }
}

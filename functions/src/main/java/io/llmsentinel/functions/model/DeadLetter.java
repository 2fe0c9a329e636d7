package io.llmsentinel.functions.model;

/**
 * Input that could not be used (or output that could not be delivered), with why, where it came
 * from, and a bounded, scrubbed copy of it: written to the dead-letter topic so nothing is dropped
 * silently. One per message, however many of its parts were bad. Built by {@code
 * io.llmsentinel.functions.read.DeadLetters}.
 */
public class DeadLetter {
    /** The reason of the first part that could not be used, one of the reason codes. */
    public String reason;

    /** What exactly was wrong (the first few parts), for the person reading the topic; bounded. */
    public String detail;

    /** Every reason with its count, e.g. {@code invalid_value=2,wrong_type=1}. */
    public String reasons;

    /** Parts that could not be used: spans, or 1 for a message unreadable as a whole. */
    public int invalidCount;

    /** Whether the message was refused as a whole (nothing of it used), not span by span. */
    public boolean wholeMessage;

    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;
    public long sourceTimestampMs;

    /** Size of the original, in bytes. */
    public int sizeBytes;

    /** SHA-256 of the original, hex: to find the message, or match repeats of it. */
    public String sha256;

    /** Whether {@link #payload} is only the first part of the original. */
    public boolean payloadTruncated;

    /** At most the configured cap of the original's bytes, scrubbed of personal data. */
    public byte[] payload;

    public long failedAtMs;

    public DeadLetter() {}

    @Override
    public String toString() {
        return "DeadLetter{"
                + reasons
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

package io.llmsentinel.sinks.delivery;

import java.util.List;

/**
 * One output's backlog in a checkpoint: the records not yet delivered, oldest first.
 *
 * @param name the output ({@link OutboxSettings#name()})
 * @param items each record as its output's {@link ItemCodec} encoded it, with its write time
 */
public record OutboxState(String name, List<Item> items) {

    /** A write time that is not known: a record restored from a format 1 state. */
    public static final long UNKNOWN_WRITE_TIME = 0;

    /**
     * One undelivered record.
     *
     * @param writtenAtMs when the output first took it (epoch ms), so that {@code give-up-after}
     *     counts from there across restores; {@link #UNKNOWN_WRITE_TIME} for a format 1 state
     * @param bytes the record, as its output's {@link ItemCodec} encoded it
     */
    public record Item(long writtenAtMs, byte[] bytes) {}

    /** Records without a known write time (tests, and what a format 1 state holds). */
    public static OutboxState of(String name, List<byte[]> records) {
        return new OutboxState(
                name, records.stream().map(b -> new Item(UNKNOWN_WRITE_TIME, b)).toList());
    }
}

package io.llmsentinel.sinks.delivery;

import io.llmsentinel.functions.config.DeliveryOptions;
import io.llmsentinel.functions.config.DeliveryOptions.WhenFull;
import io.llmsentinel.functions.config.SentinelConfig;
import java.io.Serializable;

/**
 * How one output's {@link Outbox} behaves.
 *
 * @param name the output's name: its metric group and its part of the writer state
 * @param maxItems records kept at most (beyond it, see {@link WhenFull})
 * @param batchSize records handed to the server at once
 * @param lingerMs how long a partial batch waits for more (0: send at once)
 * @param whenFull what a full backlog does with a new record ({@link WhenFull#SHED} needs a
 *     dead-letter topic)
 * @param initialBackoffMs first wait after a failed try, doubled per failure (with jitter)
 * @param maxBackoffMs longest wait between tries
 * @param giveUpAfterMs a record undelivered this long after it was written is dead-lettered
 * @param endOfInputWaitMs how long the end of a bounded run waits for the backlog to drain
 */
public record OutboxSettings(
        String name,
        int maxItems,
        int batchSize,
        long lingerMs,
        WhenFull whenFull,
        long initialBackoffMs,
        long maxBackoffMs,
        long giveUpAfterMs,
        long endOfInputWaitMs)
        implements Serializable {

    public OutboxSettings {
        if (maxItems < 1 || batchSize < 1 || lingerMs < 0 || initialBackoffMs < 1) {
            throw new IllegalArgumentException(name + ": backlog settings must be positive");
        }
        if (whenFull == null) {
            throw new IllegalArgumentException(name + ": say what a full backlog does");
        }
        if (maxBackoffMs < initialBackoffMs || giveUpAfterMs < 1 || endOfInputWaitMs < 0) {
            throw new IllegalArgumentException(name + ": backoff settings are inconsistent");
        }
    }

    /**
     * {@code sinks.delivery.*} for one output; {@code whenFull} is {@code sinks.delivery.when-full}
     * for anomalies and alerts, {@link WhenFull#DROP_OLDEST} for telemetry and caches.
     */
    public static OutboxSettings from(
            SentinelConfig c, String name, int batchSize, long lingerMs, WhenFull whenFull) {
        return new OutboxSettings(
                name,
                c.get(DeliveryOptions.MAX_BACKLOG),
                batchSize,
                lingerMs,
                whenFull,
                Math.min(500, c.get(DeliveryOptions.MAX_BACKOFF).toMillis()),
                c.get(DeliveryOptions.MAX_BACKOFF).toMillis(),
                c.get(DeliveryOptions.GIVE_UP_AFTER).toMillis(),
                c.get(DeliveryOptions.END_OF_INPUT_WAIT).toMillis());
    }

    public OutboxSettings withName(String n) {
        return new OutboxSettings(
                n,
                maxItems,
                batchSize,
                lingerMs,
                whenFull,
                initialBackoffMs,
                maxBackoffMs,
                giveUpAfterMs,
                endOfInputWaitMs);
    }

    public OutboxSettings withGiveUpAfterMs(long ms) {
        return new OutboxSettings(
                name,
                maxItems,
                batchSize,
                lingerMs,
                whenFull,
                initialBackoffMs,
                maxBackoffMs,
                ms,
                endOfInputWaitMs);
    }

    public OutboxSettings withBackoff(long initialMs, long maxMs) {
        return new OutboxSettings(
                name,
                maxItems,
                batchSize,
                lingerMs,
                whenFull,
                initialMs,
                maxMs,
                giveUpAfterMs,
                endOfInputWaitMs);
    }
}

package io.llmsentinel.sinks.delivery;

import io.llmsentinel.functions.config.DeliveryOptions;
import io.llmsentinel.functions.config.DeliveryOptions.WhenFull;

/** Backlog settings for tests: short backoffs, so outages of a second or two are ridden out. */
public final class TestBacklogs {
    private TestBacklogs() {}

    public static OutboxSettings settings(String name, int batchSize) {
        return new OutboxSettings(
                name, 10_000, batchSize, 50, WhenFull.WAIT, 20, 200, 120_000, 60_000);
    }

    /** A backlog of {@code maxItems} that does what a full backlog does by default. */
    public static OutboxSettings small(String name, int maxItems) {
        return new OutboxSettings(
                name,
                maxItems,
                2,
                0,
                DeliveryOptions.WHEN_FULL.defaultValue(),
                20,
                200,
                120_000,
                60_000);
    }

    /** A bounded run's end that waits at most {@code endOfInputWaitMs} for the backlog. */
    public static OutboxSettings ending(String name, int batchSize, long endOfInputWaitMs) {
        OutboxSettings s = settings(name, batchSize);
        return new OutboxSettings(
                name,
                s.maxItems(),
                batchSize,
                0,
                s.whenFull(),
                s.initialBackoffMs(),
                s.maxBackoffMs(),
                s.giveUpAfterMs(),
                endOfInputWaitMs);
    }
}

package io.llmsentinel.sinks.delivery;

/** Backlog settings for tests: short backoffs, so outages of a second or two are ridden out. */
public final class TestBacklogs {
    private TestBacklogs() {}

    public static OutboxSettings settings(String name, int batchSize) {
        return new OutboxSettings(
                name,
                10_000,
                batchSize,
                50,
                OutboxSettings.WhenFull.WAIT,
                20,
                200,
                120_000,
                60_000);
    }
}

package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/**
 * {@code sinks.delivery.*}: how every output that talks to another server (InfluxDB, RabbitMQ,
 * webhooks, Redis) rides out that server's outage. Each keeps what it could not deliver yet in a
 * backlog that is part of its checkpointed state, and delivers it in the background with backoff,
 * so an outage stops neither detection nor the other outputs, and a restart loses nothing.
 */
public final class DeliveryOptions implements OptionGroup {
    public static final DeliveryOptions GROUP = new DeliveryOptions();

    public static final ConfigOption<Integer> MAX_BACKLOG =
            key("sinks.delivery.max-backlog")
                    .intType()
                    .defaultValue(100_000)
                    .withDescription(
                            "Records one output subtask keeps while its server is away. Anomalies"
                                    + " and alerts beyond it hold the pipeline back"
                                    + " (backpressure); request points and the Redis live view"
                                    + " drop their oldest (counted).");

    public static final ConfigOption<Duration> GIVE_UP_AFTER =
            key("sinks.delivery.give-up-after")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "A record still undelivered this long after it was written goes to"
                                    + " the dead-letter topic with the last error (webhooks can"
                                    + " set their own give-up-after-ms).");

    public static final ConfigOption<Duration> MAX_BACKOFF =
            key("sinks.delivery.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "Longest wait between tries while a server is away (exponential"
                                    + " backoff with jitter up to this), so delivery resumes"
                                    + " within this long after it is back.");

    public static final ConfigOption<Duration> END_OF_INPUT_WAIT =
            key("sinks.delivery.end-of-input-wait")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "At the end of a bounded run, how long an output waits for its"
                                    + " backlog to drain; what remains is dead-lettered.");

    private DeliveryOptions() {}

    @Override
    public void validate(SentinelConfig c) {
        c.requireAtLeast(MAX_BACKLOG, 1);
        if (c.get(MAX_BACKOFF).toMillis() < 100) {
            throw new ConfigException("'sinks.delivery.max-backoff' must be at least 100 ms");
        }
        if (c.get(GIVE_UP_AFTER).toMillis() < 1_000) {
            throw new ConfigException("'sinks.delivery.give-up-after' must be at least 1 s");
        }
    }
}

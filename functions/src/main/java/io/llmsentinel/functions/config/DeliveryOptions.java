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
                    .defaultValue(10_000)
                    .withDescription(
                            "Records one output subtask keeps while its server is away; what"
                                    + " comes beyond it is shed, dropped or waits, as"
                                    + " sinks.delivery.when-full says. Every checkpoint writes"
                                    + " the whole backlog: about 0.5 KB per InfluxDB point and"
                                    + " 1.5 KB per RabbitMQ or webhook alert, so 10,000 costs"
                                    + " up to 5 MB (InfluxDB) or 15 MB (an alert output) of"
                                    + " heap and of every checkpoint, per output and subtask.");

    public static final ConfigOption<WhenFull> WHEN_FULL =
            key("sinks.delivery.when-full")
                    .enumType(WhenFull.class)
                    .defaultValue(WhenFull.SHED)
                    .withDescription(
                            "What a full backlog of anomalies or alerts does with a new record:"
                                    + " SHED (it goes to the dead-letter topic, reason"
                                    + " backlog_full, counted as shed: an output's outage"
                                    + " delays that output only), WAIT (the writer waits:"
                                    + " backpressure, which holds back detection and every"
                                    + " other output until the server is back) or DROP_OLDEST"
                                    + " (the oldest record is dropped, counted). Request points"
                                    + " and the Redis live view always drop their oldest.");

    /** What a full backlog does with a new record. */
    public enum WhenFull {
        /** The new record goes to the dead-letter topic (reason backlog_full), counted. */
        SHED,
        /** The writer waits until there is room (backpressure). */
        WAIT,
        /** The oldest record is dropped, counted: for telemetry and caches. */
        DROP_OLDEST
    }

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

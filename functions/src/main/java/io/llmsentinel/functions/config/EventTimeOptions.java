package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/** {@code event-time.*}: event time is the span's end time, never the time of arrival. */
public final class EventTimeOptions implements OptionGroup {
    public static final EventTimeOptions GROUP = new EventTimeOptions();

    public static final ConfigOption<Duration> MAX_OUT_OF_ORDERNESS =
            key("event-time.max-out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How late a span may arrive behind the newest one and still be in"
                                    + " time for event-time windows.");

    public static final ConfigOption<Duration> IDLENESS =
            key("event-time.idleness")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "An input that sends nothing for this long stops holding back event"
                                    + " time.");

    public static final ConfigOption<Duration> MAX_FUTURE =
            key("event-time.max-future")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "A span whose event time is further ahead of the job's clock is"
                                    + " refused (dead letter, reason clock_skew): one bad clock"
                                    + " would otherwise move event time ahead for everyone.");

    public static final ConfigOption<Duration> CATCH_UP_LAG =
            key("event-time.catch-up-lag")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "Requests further behind the job's clock than this are a backlog (a"
                                    + " first start from the earliest offsets, catching up after"
                                    + " downtime): each key judges them in event-time order once"
                                    + " the watermark passes them, so the same input gives the"
                                    + " same alerts whatever order the partitions are read in."
                                    + " Live traffic is judged at once. 0: always in arrival"
                                    + " order.");

    public static final ConfigOption<Duration> ALIGNMENT_MAX_DRIFT =
            key("event-time.alignment-max-drift")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "Watermark alignment of the telemetry sources: a partition whose"
                                    + " watermark is this far ahead of the slowest one pauses"
                                    + " while the others catch up (bounds the backlog waiting for"
                                    + " event-time order). 0: off.");

    private EventTimeOptions() {}
}

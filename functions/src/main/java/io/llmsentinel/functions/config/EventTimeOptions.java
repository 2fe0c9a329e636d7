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

    private EventTimeOptions() {}
}

package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/** {@code alerts.*}: how anomalies become alerts for people. */
public final class AlertOptions implements OptionGroup {
    public static final AlertOptions GROUP = new AlertOptions();

    public static final ConfigOption<Duration> DEDUP_WINDOW =
            key("alerts.dedup-window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "Repeats of an alert (same key, metric and anomaly type) within this"
                                    + " event time of the first are counted, not sent; a higher"
                                    + " severity goes out at once. Storage gets every anomaly.");

    private AlertOptions() {}
}

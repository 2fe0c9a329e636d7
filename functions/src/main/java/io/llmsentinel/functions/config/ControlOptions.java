package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import org.apache.flink.configuration.ConfigOption;

/**
 * {@code control.*}: the control topic, read into broadcast state: silences, maintenance windows,
 * rules, acknowledgements and labels, in force at once and kept in savepoints.
 */
public final class ControlOptions implements OptionGroup {
    public static final ControlOptions GROUP = new ControlOptions();

    public static final ConfigOption<Boolean> ENABLED =
            key("control.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Read the control topic: silences, maintenance windows and rules that"
                                    + " take effect without a restart.");

    public static final ConfigOption<String> TOPIC =
            key("control.topic")
                    .stringType()
                    .defaultValue("sentinel.control")
                    .withDescription(
                            "Topic of control commands (JSON); read from its beginning on a first"
                                    + " start, so what is in force is rebuilt.");

    private ControlOptions() {}

    @Override
    public void validate(SentinelConfig c) {
        c.requireNonBlank(TOPIC);
    }
}

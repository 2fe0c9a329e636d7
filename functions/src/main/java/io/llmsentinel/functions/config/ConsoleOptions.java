package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import org.apache.flink.configuration.ConfigOption;

/** {@code sinks.console.*}: alerts on the TaskManagers' stdout. */
public final class ConsoleOptions implements OptionGroup {
    public static final ConsoleOptions GROUP = new ConsoleOptions();

    public static final ConfigOption<Boolean> ENABLED =
            key("sinks.console.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Print each alert (deduplicated anomaly) as one JSON line on the"
                                    + " TaskManager's stdout.");

    private ConsoleOptions() {}
}

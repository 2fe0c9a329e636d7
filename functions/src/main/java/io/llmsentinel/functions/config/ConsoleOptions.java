package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.llmsentinel.functions.detect.Severity;
import org.apache.flink.configuration.ConfigOption;

/** {@code sinks.console.*}: alerts on the TaskManagers' stdout. */
public final class ConsoleOptions implements OptionGroup {
    public static final ConsoleOptions GROUP = new ConsoleOptions();

    public static final ConfigOption<Boolean> ENABLED =
            key("sinks.console.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Print each alert change (opened, escalated, resolved) as one JSON line on the"
                                    + " TaskManager's stdout.");

    public static final ConfigOption<Severity> MIN_SEVERITY =
            key("sinks.console.min-severity")
                    .enumType(Severity.class)
                    .defaultValue(Severity.LOW)
                    .withDescription(
                            "Alerts at least this severe are printed (their resolutions too).");

    private ConsoleOptions() {}
}

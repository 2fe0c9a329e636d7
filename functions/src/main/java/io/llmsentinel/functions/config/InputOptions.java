package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import org.apache.flink.configuration.ConfigOption;

/** {@code inputs.*}: which topics are read, and the limits every reader applies. */
public final class InputOptions implements OptionGroup {
    public static final InputOptions GROUP = new InputOptions();

    public static final ConfigOption<Boolean> OTLP_TRACES_ENABLED =
            key("inputs.otlp-traces.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Read OTLP/JSON ExportTraceServiceRequest messages.");

    public static final ConfigOption<String> OTLP_TRACES_TOPIC =
            key("inputs.otlp-traces.topic")
                    .stringType()
                    .defaultValue("otlp_spans")
                    .withDescription(
                            "Topic of OTLP/JSON traces (the Collector kafkaexporter's default).");

    public static final ConfigOption<Boolean> OTLP_METRICS_ENABLED =
            key("inputs.otlp-metrics.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Read OTLP/JSON ExportMetricsServiceRequest messages (GenAI metrics).");

    public static final ConfigOption<String> OTLP_METRICS_TOPIC =
            key("inputs.otlp-metrics.topic")
                    .stringType()
                    .defaultValue("otlp_metrics")
                    .withDescription(
                            "Topic of OTLP/JSON metrics (the Collector kafkaexporter's default).");

    public static final ConfigOption<Boolean> NATIVE_EVENTS_ENABLED =
            key("inputs.native-events.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Read the flat JSON events of the older Rust service.");

    public static final ConfigOption<String> NATIVE_EVENTS_TOPIC =
            key("inputs.native-events.topic")
                    .stringType()
                    .defaultValue("llm.telemetry")
                    .withDescription("Topic of native JSON events.");

    public static final ConfigOption<Integer> MAX_MESSAGE_BYTES =
            key("inputs.max-message-bytes")
                    .intType()
                    .defaultValue(4 * 1024 * 1024)
                    .withDescription(
                            "Larger messages go to the dead-letter topic (reason too_large).");

    public static final ConfigOption<Integer> MAX_TEXT_CHARS =
            key("inputs.max-text-chars")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "Prompt and completion text is kept cut to this many characters,"
                                    + " after PII scrubbing. No output of the job writes the text,"
                                    + " so 0 (the default) drops it in the reader: it is neither"
                                    + " scrubbed nor carried between operators (with 2 KB"
                                    + " prompts it was most of each request's bytes on the"
                                    + " wire). Set it for an output of your own that needs"
                                    + " the scrubbed text.");

    private InputOptions() {}

    @Override
    public void validate(SentinelConfig c) {
        c.requireNonBlank(OTLP_TRACES_TOPIC);
        c.requireNonBlank(NATIVE_EVENTS_TOPIC);
        c.requireNonBlank(OTLP_METRICS_TOPIC);
        if (!c.get(OTLP_TRACES_ENABLED)
                && !c.get(NATIVE_EVENTS_ENABLED)
                && !c.get(OTLP_METRICS_ENABLED)) {
            throw new ConfigException(
                    "no input enabled: set 'inputs.otlp-traces.enabled',"
                            + " 'inputs.otlp-metrics.enabled' or 'inputs.native-events.enabled' to"
                            + " true");
        }
        c.requireAtLeast(MAX_MESSAGE_BYTES, 1024);
        c.requireAtLeast(MAX_TEXT_CHARS, 0);
    }
}

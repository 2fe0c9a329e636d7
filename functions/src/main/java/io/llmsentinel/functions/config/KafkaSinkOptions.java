package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import org.apache.flink.configuration.ConfigOption;

/** {@code sinks.kafka.*}: the anomaly stream on Kafka, for anyone to consume. */
public final class KafkaSinkOptions implements OptionGroup {
    public static final KafkaSinkOptions GROUP = new KafkaSinkOptions();

    public static final ConfigOption<Boolean> ENABLED =
            key("sinks.kafka.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Write anomalies to a Kafka topic.");

    public static final ConfigOption<String> TOPIC =
            key("sinks.kafka.topic")
                    .stringType()
                    .defaultValue("sentinel.anomalies")
                    .withDescription("Topic the anomaly stream is written to.");

    public static final ConfigOption<Boolean> EXACTLY_ONCE =
            key("sinks.kafka.exactly-once")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Write anomalies in Kafka transactions committed with each checkpoint"
                                    + " (readers use isolation.level=read_committed); needs"
                                    + " checkpointing. false: at-least-once, visible at once.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            key("sinks.kafka.transactional-id-prefix")
                    .stringType()
                    .defaultValue("llm-sentinel-anomalies")
                    .withDescription(
                            "Prefix of the Kafka transactional ids; unique per job writing to the"
                                    + " same cluster.");

    private KafkaSinkOptions() {}

    @Override
    public void validate(SentinelConfig c) {
        c.requireNonBlank(TOPIC);
    }
}

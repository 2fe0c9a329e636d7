package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import org.apache.flink.configuration.ConfigOption;

/**
 * {@code kafka.*}: the brokers every Kafka input and output uses. {@code kafka.properties} is a
 * free-form map passed to every Kafka client (see {@link SentinelConfig#kafkaClientProperties()}).
 */
public final class KafkaOptions implements OptionGroup {
    public static final KafkaOptions GROUP = new KafkaOptions();

    /** Keys under this prefix are passed to the Kafka clients as they are. */
    public static final String PROPERTIES_PREFIX = "kafka.properties.";

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            key("kafka.bootstrap-servers")
                    .stringType()
                    .defaultValue("localhost:9092")
                    .withDescription("Kafka brokers to read telemetry from and write results to.");

    public static final ConfigOption<String> GROUP_ID =
            key("kafka.group-id")
                    .stringType()
                    .defaultValue("llm-sentinel")
                    .withDescription(
                            "Consumer group id. Offsets are committed on checkpoints (for"
                                    + " monitoring lag); the job itself restores its position"
                                    + " from its own checkpoints.");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS =
            key("kafka.starting-offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.COMMITTED)
                    .withDescription(
                            "Where a job without a checkpoint starts reading: COMMITTED (the"
                                    + " group's offsets, else the earliest), EARLIEST, LATEST, or"
                                    + " TIMESTAMP (kafka.starting-timestamp-ms).");

    public static final ConfigOption<Long> STARTING_TIMESTAMP_MS =
            key("kafka.starting-timestamp-ms")
                    .longType()
                    .defaultValue(0L)
                    .withDescription(
                            "With starting-offsets TIMESTAMP: the first record read is the first"
                                    + " at or after this time (epoch milliseconds).");

    /** Where a job without a checkpoint starts reading. */
    public enum StartingOffsets {
        COMMITTED,
        EARLIEST,
        LATEST,
        TIMESTAMP
    }

    private KafkaOptions() {}

    @Override
    public void validate(SentinelConfig c) {
        c.requireNonBlank(BOOTSTRAP_SERVERS);
        c.requireNonBlank(GROUP_ID);
    }
}

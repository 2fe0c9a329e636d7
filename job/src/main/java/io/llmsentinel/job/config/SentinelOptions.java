package io.llmsentinel.job.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * Every key of {@code sentinel.yaml}, with its type, default and description. The descriptions are
 * the documentation: {@code --dry-run} and {@code conf/sentinel.yaml} show them. Two subtrees are
 * free-form maps rather than options: {@code kafka.properties} (passed to the Kafka clients) and
 * {@code pricing.models} (per-model prices).
 */
public final class SentinelOptions {
    private SentinelOptions() {}

    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";
    public static final String PRICING_PREFIX = "pricing.models";

    public static final ConfigOption<String> JOB_NAME =
            key("job.name")
                    .stringType()
                    .defaultValue("LLM-Sentinel")
                    .withDescription("The job's name in the Flink web UI.");

    public static final ConfigOption<Integer> JOB_PARALLELISM =
            key("job.parallelism")
                    .intType()
                    .defaultValue(-1)
                    .withDescription(
                            "Parallelism of the job; -1 uses the cluster's default"
                                    + " (parallelism.default).");

    public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS =
            key("kafka.bootstrap-servers")
                    .stringType()
                    .defaultValue("localhost:9092")
                    .withDescription("Kafka brokers to read telemetry from and write results to.");

    public static final ConfigOption<String> KAFKA_GROUP_ID =
            key("kafka.group-id")
                    .stringType()
                    .defaultValue("llm-sentinel")
                    .withDescription(
                            "Consumer group id. Offsets are committed on checkpoints (for"
                                    + " monitoring lag); the job itself restores its position"
                                    + " from its own checkpoints.");

    public static final ConfigOption<StartingOffsets> KAFKA_STARTING_OFFSETS =
            key("kafka.starting-offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.COMMITTED)
                    .withDescription(
                            "Where a job without a checkpoint starts reading: COMMITTED (the"
                                    + " group's offsets, else the earliest), EARLIEST, LATEST, or"
                                    + " TIMESTAMP (kafka.starting-timestamp-ms).");

    public static final ConfigOption<Long> KAFKA_STARTING_TIMESTAMP_MS =
            key("kafka.starting-timestamp-ms")
                    .longType()
                    .defaultValue(0L)
                    .withDescription(
                            "With starting-offsets TIMESTAMP: the first record read is the first"
                                    + " at or after this time (epoch milliseconds).");

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
                    .defaultValue(2048)
                    .withDescription(
                            "Prompt and completion text is cut to this many characters (after"
                                    + " PII scrubbing it is the only text kept); 0 keeps none.");

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

    public static final ConfigOption<List<String>> KEY_DIMENSIONS =
            key("keys.dimensions")
                    .stringType()
                    .asList()
                    .defaultValues("service", "model", "provider", "operation")
                    .withDescription(
                            "What a baseline is learned per. Any of: service, model, provider,"
                                    + " operation, environment, namespace.");

    public static final ConfigOption<List<String>> DETECTION_METRICS =
            key("detection.metrics")
                    .stringType()
                    .asList()
                    .defaultValues("latency_ms", "ttft_ms", "total_tokens", "cost_usd")
                    .withDescription(
                            "Per-request metrics to watch. Any of: latency_ms, ttft_ms,"
                                    + " input_tokens, output_tokens, total_tokens, cost_usd,"
                                    + " output_tokens_per_second.");

    public static final ConfigOption<Double> ZSCORE_THRESHOLD =
            key("detection.zscore.threshold")
                    .doubleType()
                    .defaultValue(3.0)
                    .withDescription("Z-Score: standardized distance that counts as anomalous.");

    public static final ConfigOption<Integer> WARMUP =
            key("detection.warmup")
                    .intType()
                    .defaultValue(30)
                    .withDescription("Samples a baseline needs before it judges anything.");

    public static final ConfigOption<Integer> WINDOW =
            key("detection.window")
                    .intType()
                    .defaultValue(500)
                    .withDescription(
                            "Horizon of a baseline in samples: older values fade out, so the"
                                    + " baseline follows the series.");

    public static final ConfigOption<Double> SPREAD_FLOOR_RELATIVE =
            key("detection.spread-floor-relative")
                    .doubleType()
                    .defaultValue(0.05)
                    .withDescription(
                            "The spread a detector divides by is at least this fraction of the"
                                    + " baseline's level (and at least each metric's absolute"
                                    + " floor), so a flat series neither floods nor silences it.");

    public static final ConfigOption<Boolean> CLIP_ANOMALIES =
            key("detection.clip-anomalies")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Anomalous values join the baseline clipped to the threshold, so a"
                                    + " spike does not drag it; false lets them in unchanged.");

    public static final ConfigOption<Duration> STATE_TTL =
            key("detection.state-ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(7))
                    .withDescription(
                            "A key with no request for this long is forgotten (state TTL).");

    public static final ConfigOption<Boolean> CONSOLE_ENABLED =
            key("sinks.console.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Print each anomaly as one JSON line on the TaskManager's stdout.");

    public static final ConfigOption<Boolean> KAFKA_ANOMALIES_ENABLED =
            key("sinks.kafka.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Write anomalies to a Kafka topic.");

    public static final ConfigOption<String> KAFKA_ANOMALIES_TOPIC =
            key("sinks.kafka.topic")
                    .stringType()
                    .defaultValue("sentinel.anomalies")
                    .withDescription("Topic the anomaly stream is written to.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            key("dead-letter.topic")
                    .stringType()
                    .defaultValue("sentinel.deadletter")
                    .withDescription(
                            "Where unreadable input goes, with the reason and the original"
                                    + " bytes.");

    public static final List<ConfigOption<?>> ALL =
            List.of(
                    JOB_NAME,
                    JOB_PARALLELISM,
                    KAFKA_BOOTSTRAP_SERVERS,
                    KAFKA_GROUP_ID,
                    KAFKA_STARTING_OFFSETS,
                    KAFKA_STARTING_TIMESTAMP_MS,
                    OTLP_TRACES_ENABLED,
                    OTLP_TRACES_TOPIC,
                    NATIVE_EVENTS_ENABLED,
                    NATIVE_EVENTS_TOPIC,
                    MAX_MESSAGE_BYTES,
                    MAX_TEXT_CHARS,
                    MAX_OUT_OF_ORDERNESS,
                    IDLENESS,
                    KEY_DIMENSIONS,
                    DETECTION_METRICS,
                    ZSCORE_THRESHOLD,
                    WARMUP,
                    WINDOW,
                    SPREAD_FLOOR_RELATIVE,
                    CLIP_ANOMALIES,
                    STATE_TTL,
                    CONSOLE_ENABLED,
                    KAFKA_ANOMALIES_ENABLED,
                    KAFKA_ANOMALIES_TOPIC,
                    DEAD_LETTER_TOPIC);

    /** Where a job without a checkpoint starts reading. */
    public enum StartingOffsets {
        COMMITTED,
        EARLIEST,
        LATEST,
        TIMESTAMP
    }
}

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

    /** The side service's section of the same file; read by query-api, ignored by the job. */
    public static final String QUERY_API_PREFIX = "query-api.";

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
                    .defaultValues(
                            "latency_ms",
                            "ttft_ms",
                            "input_tokens",
                            "output_tokens",
                            "total_tokens",
                            "cost_usd",
                            "output_tokens_per_second",
                            "request_rate",
                            "error_rate",
                            "cost_per_minute")
                    .withDescription(
                            "Metrics to watch. Per request: latency_ms, ttft_ms, input_tokens,"
                                    + " output_tokens, total_tokens, cost_usd,"
                                    + " output_tokens_per_second. Per event-time window:"
                                    + " request_rate, error_rate, cost_per_minute.");

    public static final ConfigOption<Sensitivity> SENSITIVITY =
            key("detection.sensitivity")
                    .enumType(Sensitivity.class)
                    .defaultValue(Sensitivity.MEDIUM)
                    .withDescription(
                            "A preset on top of every threshold: LOW multiplies them by 1.25"
                                    + " (fewer alerts), MEDIUM by 1, HIGH by 0.8 (more alerts).");

    public static final ConfigOption<List<String>> DETECTORS =
            key("detection.detectors")
                    .stringType()
                    .asList()
                    .defaultValues("zscore", "iqr", "mad", "cusum")
                    .withDescription("Detectors run on every metric: zscore, iqr, mad, cusum.");

    public static final ConfigOption<Double> ZSCORE_THRESHOLD =
            key("detection.zscore.threshold")
                    .doubleType()
                    .defaultValue(3.0)
                    .withDescription("Z-Score: standardized distance that counts as anomalous.");

    public static final ConfigOption<Double> IQR_K =
            key("detection.iqr.k")
                    .doubleType()
                    .defaultValue(1.5)
                    .withDescription("IQR: anomalous outside [Q1 - k*IQR, Q3 + k*IQR].");

    public static final ConfigOption<Double> MAD_THRESHOLD =
            key("detection.mad.threshold")
                    .doubleType()
                    .defaultValue(3.5)
                    .withDescription("MAD: modified z-score 0.6745*|x - median|/MAD that counts.");

    public static final ConfigOption<Double> CUSUM_SLACK =
            key("detection.cusum.slack")
                    .doubleType()
                    .defaultValue(0.5)
                    .withDescription("CUSUM: slack k in standard deviations.");

    public static final ConfigOption<Double> CUSUM_DECISION =
            key("detection.cusum.decision")
                    .doubleType()
                    .defaultValue(5.0)
                    .withDescription("CUSUM: decision interval h in standard deviations.");

    public static final ConfigOption<Integer> WARMUP =
            key("detection.warmup")
                    .intType()
                    .defaultValue(30)
                    .withDescription("Samples a baseline needs before it judges anything.");

    public static final ConfigOption<Integer> WINDOW_WARMUP =
            key("detection.window-warmup")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "Windows a windowed metric (request_rate, error_rate, cost_per_minute)"
                                    + " needs before it judges: with one-minute windows, 10"
                                    + " minutes.");

    public static final ConfigOption<Integer> WINDOW =
            key("detection.window")
                    .intType()
                    .defaultValue(1500)
                    .withDescription(
                            "Horizon of a baseline in samples: older values fade out, so the"
                                    + " baseline follows the series.");

    public static final ConfigOption<Double> SPREAD_FLOOR_RELATIVE =
            key("detection.spread-floor-relative")
                    .doubleType()
                    .defaultValue(0.05)
                    .withDescription(
                            "The spread a detector divides by is at least this fraction of the"
                                    + " baseline's level (and at least the metric's unit), so a"
                                    + " flat series neither floods nor silences it.");

    public static final ConfigOption<Integer> REPEAT_WINDOW =
            key("detection.score-repeat-window")
                    .intType()
                    .defaultValue(600)
                    .withDescription(
                            "Samples over which a combined score must beat the strongest recent"
                                    + " one to count in full; a value no more unusual than one"
                                    + " already seen scores half. 0 turns this off. Decisions"
                                    + " (which detectors fired) are not affected.");

    public static final ConfigOption<Boolean> CLIP_ANOMALIES =
            key("detection.clip-anomalies")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Anomalous values join the baseline clipped to the threshold, so a"
                                    + " spike does not drag it; false lets them in unchanged.");

    public static final ConfigOption<Duration> WINDOW_SIZE =
            key("detection.window-size")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "Event-time window of request_rate, error_rate and cost_per_minute.");

    public static final ConfigOption<Integer> ERROR_RATE_MIN_REQUESTS =
            key("detection.error-rate-min-requests")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "error_rate is judged only in windows with this many requests.");

    public static final ConfigOption<Integer> EMPTY_WINDOWS =
            key("detection.empty-windows")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "After a key's last request, this many empty windows are judged"
                                    + " (request rate zero), then the key goes quiet.");

    public static final ConfigOption<Duration> STATE_TTL =
            key("detection.state-ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(7))
                    .withDescription(
                            "A key with no request for this long is forgotten (state TTL).");

    /** Per-metric settings that fall back to the detection.* value above when not set. */
    public enum PerMetric {
        DIRECTION("direction", "up, down or both: which side of the baseline is anomalous"),
        DETECTORS("detectors", "detectors for this metric"),
        WARMUP("warmup", "warm-up samples"),
        WINDOW("window", "baseline horizon in samples"),
        ZSCORE_THRESHOLD("zscore.threshold", "Z-Score threshold"),
        IQR_K("iqr.k", "IQR k"),
        MAD_THRESHOLD("mad.threshold", "MAD threshold"),
        CUSUM_SLACK("cusum.slack", "CUSUM slack"),
        CUSUM_DECISION("cusum.decision", "CUSUM decision interval"),
        LOG_SCALE("log-scale", "judge ln(1 + x/unit) instead of x");

        public final String suffix;
        public final String description;

        PerMetric(String suffix, String description) {
            this.suffix = suffix;
            this.description = description;
        }

        public String key(String metric) {
            return "detection.metric." + metric + "." + suffix;
        }
    }

    /** The per-metric options, all without defaults: unset means the global value. */
    public static List<ConfigOption<?>> perMetricOptions() {
        List<ConfigOption<?>> out = new java.util.ArrayList<>();
        for (io.llmsentinel.functions.detect.Metric m :
                io.llmsentinel.functions.detect.Metric.values()) {
            for (PerMetric p : PerMetric.values()) {
                out.add(
                        key(p.key(m.code()))
                                .stringType()
                                .noDefaultValue()
                                .withDescription(m.code() + ": " + p.description));
            }
        }
        return out;
    }

    public static final ConfigOption<Duration> DEDUP_WINDOW =
            key("alerts.dedup-window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "Repeats of an alert (same key, metric and anomaly type) within this"
                                    + " event time of the first are counted, not sent; a higher"
                                    + " severity goes out at once. Storage gets every anomaly.");

    public static final ConfigOption<Boolean> CONSOLE_ENABLED =
            key("sinks.console.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Print each alert (deduplicated anomaly) as one JSON line on the"
                                    + " TaskManager's stdout.");

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

    public static final ConfigOption<Boolean> KAFKA_EXACTLY_ONCE =
            key("sinks.kafka.exactly-once")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Write anomalies in Kafka transactions committed with each checkpoint"
                                    + " (readers use isolation.level=read_committed); needs"
                                    + " checkpointing. false: at-least-once, visible at once.");

    public static final ConfigOption<String> KAFKA_TRANSACTIONAL_ID_PREFIX =
            key("sinks.kafka.transactional-id-prefix")
                    .stringType()
                    .defaultValue("llm-sentinel-anomalies")
                    .withDescription(
                            "Prefix of the Kafka transactional ids; unique per job writing to the"
                                    + " same cluster.");

    // ------------------------------------------------------------------ RabbitMQ
    public static final ConfigOption<Boolean> RABBITMQ_ENABLED =
            key("sinks.rabbitmq.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Publish alerts to a RabbitMQ topic exchange, with publisher confirms"
                                    + " awaited before each checkpoint completes.");

    public static final ConfigOption<String> RABBITMQ_HOST =
            key("sinks.rabbitmq.host")
                    .stringType()
                    .defaultValue("127.0.0.1")
                    .withDescription("RabbitMQ host.");

    public static final ConfigOption<Integer> RABBITMQ_PORT =
            key("sinks.rabbitmq.port")
                    .intType()
                    .defaultValue(5672)
                    .withDescription("RabbitMQ AMQP port.");

    public static final ConfigOption<String> RABBITMQ_VHOST =
            key("sinks.rabbitmq.virtual-host")
                    .stringType()
                    .defaultValue("/")
                    .withDescription("RabbitMQ virtual host.");

    public static final ConfigOption<String> RABBITMQ_USERNAME =
            key("sinks.rabbitmq.username")
                    .stringType()
                    .defaultValue("guest")
                    .withDescription("RabbitMQ user.");

    public static final ConfigOption<String> RABBITMQ_PASSWORD =
            key("sinks.rabbitmq.password")
                    .stringType()
                    .defaultValue("guest")
                    .withDescription("Use ${env:NAME} for anything but a local broker.");

    public static final ConfigOption<String> RABBITMQ_EXCHANGE =
            key("sinks.rabbitmq.exchange")
                    .stringType()
                    .defaultValue("sentinel.alerts")
                    .withDescription("Durable topic exchange (declared if missing).");

    public static final ConfigOption<String> RABBITMQ_ROUTING_KEY_PREFIX =
            key("sinks.rabbitmq.routing-key-prefix")
                    .stringType()
                    .defaultValue("alert.")
                    .withDescription("Routing key = prefix + severity, e.g. alert.critical.");

    public static final ConfigOption<Integer> RABBITMQ_MAX_OUTSTANDING =
            key("sinks.rabbitmq.max-outstanding")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("Unconfirmed messages before the writer waits for confirms.");

    public static final ConfigOption<Duration> RABBITMQ_FLUSH_TIMEOUT =
            key("sinks.rabbitmq.flush-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription(
                            "How long a checkpoint waits for the broker (reconnecting) before it"
                                    + " fails and the job restarts from the last checkpoint.");

    // ------------------------------------------------------------------ InfluxDB 3
    public static final ConfigOption<Boolean> INFLUXDB_ENABLED =
            key("sinks.influxdb.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("Store anomalies and per-request telemetry in InfluxDB 3.");

    public static final ConfigOption<String> INFLUXDB_HOST =
            key("sinks.influxdb.host")
                    .stringType()
                    .defaultValue("http://127.0.0.1:8181")
                    .withDescription("InfluxDB 3 URL.");

    public static final ConfigOption<String> INFLUXDB_DATABASE =
            key("sinks.influxdb.database")
                    .stringType()
                    .defaultValue("sentinel")
                    .withDescription("InfluxDB 3 database.");

    public static final ConfigOption<String> INFLUXDB_TOKEN_ENV =
            key("sinks.influxdb.token-env")
                    .stringType()
                    .defaultValue("INFLUXDB3_AUTH_TOKEN")
                    .withDescription(
                            "Environment variable of the TaskManagers that holds the token (the"
                                    + " token itself never enters the job graph).");

    public static final ConfigOption<String> INFLUXDB_ANOMALIES_MEASUREMENT =
            key("sinks.influxdb.anomalies-measurement")
                    .stringType()
                    .defaultValue("anomalies")
                    .withDescription("Measurement of the anomalies.");

    public static final ConfigOption<String> INFLUXDB_REQUESTS_MEASUREMENT =
            key("sinks.influxdb.requests-measurement")
                    .stringType()
                    .defaultValue("llm_requests")
                    .withDescription("Per-request telemetry; empty to store anomalies only.");

    public static final ConfigOption<Integer> INFLUXDB_BATCH_SIZE =
            key("sinks.influxdb.batch-size")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("Points per write.");

    public static final ConfigOption<Duration> INFLUXDB_FLUSH_INTERVAL =
            key("sinks.influxdb.flush-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription("A partial batch is written after this long.");

    public static final ConfigOption<Integer> INFLUXDB_MAX_ATTEMPTS =
            key("sinks.influxdb.max-attempts")
                    .intType()
                    .defaultValue(6)
                    .withDescription(
                            "Attempts per batch (timeouts, 408, 429, 5xx) before the checkpoint"
                                    + " fails.");

    // ------------------------------------------------------------------ Redis
    public static final ConfigOption<Boolean> REDIS_ENABLED =
            key("sinks.redis.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Keep the live view in Redis: each key's baselines and each"
                                    + " service's recent anomalies.");

    public static final ConfigOption<String> REDIS_HOST =
            key("sinks.redis.host")
                    .stringType()
                    .defaultValue("127.0.0.1")
                    .withDescription("Redis host.");

    public static final ConfigOption<Integer> REDIS_PORT =
            key("sinks.redis.port").intType().defaultValue(6379).withDescription("Redis port.");

    public static final ConfigOption<String> REDIS_PASSWORD_ENV =
            key("sinks.redis.password-env")
                    .stringType()
                    .defaultValue("REDIS_PASSWORD")
                    .withDescription("Environment variable holding the password, if any.");

    public static final ConfigOption<Duration> REDIS_TTL =
            key("sinks.redis.ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(1))
                    .withDescription("Every key expires this long after its last write.");

    public static final ConfigOption<Integer> REDIS_RECENT_ANOMALIES =
            key("sinks.redis.recent-anomalies")
                    .intType()
                    .defaultValue(100)
                    .withDescription("Anomalies kept per service, newest first.");

    public static final ConfigOption<Integer> REDIS_BASELINE_EVERY =
            key("sinks.redis.baseline-every")
                    .intType()
                    .defaultValue(20)
                    .withDescription("A metric's live baseline is written every this many values.");

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
                    SENSITIVITY,
                    DETECTORS,
                    ZSCORE_THRESHOLD,
                    IQR_K,
                    MAD_THRESHOLD,
                    CUSUM_SLACK,
                    CUSUM_DECISION,
                    WARMUP,
                    WINDOW_WARMUP,
                    WINDOW,
                    SPREAD_FLOOR_RELATIVE,
                    CLIP_ANOMALIES,
                    REPEAT_WINDOW,
                    WINDOW_SIZE,
                    ERROR_RATE_MIN_REQUESTS,
                    EMPTY_WINDOWS,
                    STATE_TTL,
                    DEDUP_WINDOW,
                    CONSOLE_ENABLED,
                    KAFKA_ANOMALIES_ENABLED,
                    KAFKA_ANOMALIES_TOPIC,
                    KAFKA_EXACTLY_ONCE,
                    KAFKA_TRANSACTIONAL_ID_PREFIX,
                    RABBITMQ_ENABLED,
                    RABBITMQ_HOST,
                    RABBITMQ_PORT,
                    RABBITMQ_VHOST,
                    RABBITMQ_USERNAME,
                    RABBITMQ_PASSWORD,
                    RABBITMQ_EXCHANGE,
                    RABBITMQ_ROUTING_KEY_PREFIX,
                    RABBITMQ_MAX_OUTSTANDING,
                    RABBITMQ_FLUSH_TIMEOUT,
                    INFLUXDB_ENABLED,
                    INFLUXDB_HOST,
                    INFLUXDB_DATABASE,
                    INFLUXDB_TOKEN_ENV,
                    INFLUXDB_ANOMALIES_MEASUREMENT,
                    INFLUXDB_REQUESTS_MEASUREMENT,
                    INFLUXDB_BATCH_SIZE,
                    INFLUXDB_FLUSH_INTERVAL,
                    INFLUXDB_MAX_ATTEMPTS,
                    REDIS_ENABLED,
                    REDIS_HOST,
                    REDIS_PORT,
                    REDIS_PASSWORD_ENV,
                    REDIS_TTL,
                    REDIS_RECENT_ANOMALIES,
                    REDIS_BASELINE_EVERY,
                    DEAD_LETTER_TOPIC);

    /** A preset on top of every threshold. */
    public enum Sensitivity {
        LOW(1.25),
        MEDIUM(1.0),
        HIGH(0.8);

        public final double thresholdFactor;

        Sensitivity(double thresholdFactor) {
            this.thresholdFactor = thresholdFactor;
        }
    }

    /** Where a job without a checkpoint starts reading. */
    public enum StartingOffsets {
        COMMITTED,
        EARLIEST,
        LATEST,
        TIMESTAMP
    }
}

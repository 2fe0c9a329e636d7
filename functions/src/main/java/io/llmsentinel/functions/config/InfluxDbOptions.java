package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/**
 * {@code sinks.influxdb.*}: InfluxDB 3, where the job writes every anomaly and request and the
 * query API reads them.
 */
public final class InfluxDbOptions implements OptionGroup {
    public static final InfluxDbOptions GROUP = new InfluxDbOptions();

    public static final ConfigOption<Boolean> ENABLED =
            key("sinks.influxdb.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("Store anomalies and per-request telemetry in InfluxDB 3.");

    public static final ConfigOption<String> HOST =
            key("sinks.influxdb.host")
                    .stringType()
                    .defaultValue("http://127.0.0.1:8181")
                    .withDescription("InfluxDB 3 URL.");

    public static final ConfigOption<String> DATABASE =
            key("sinks.influxdb.database")
                    .stringType()
                    .defaultValue("sentinel")
                    .withDescription("InfluxDB 3 database.");

    public static final ConfigOption<String> TOKEN_ENV =
            key("sinks.influxdb.token-env")
                    .stringType()
                    .defaultValue("INFLUXDB3_AUTH_TOKEN")
                    .withDescription(
                            "Environment variable of the TaskManagers that holds the token (the"
                                    + " token itself never enters the job graph).");

    public static final ConfigOption<String> ANOMALIES_MEASUREMENT =
            key("sinks.influxdb.anomalies-measurement")
                    .stringType()
                    .defaultValue("anomalies")
                    .withDescription("Measurement of the anomalies.");

    public static final ConfigOption<String> ALERTS_MEASUREMENT =
            key("sinks.influxdb.alerts-measurement")
                    .stringType()
                    .defaultValue("alerts")
                    .withDescription(
                            "Alert state changes (opened, escalated, resolved); empty to store none.");

    public static final ConfigOption<String> REQUESTS_MEASUREMENT =
            key("sinks.influxdb.requests-measurement")
                    .stringType()
                    .defaultValue("llm_requests")
                    .withDescription("Per-request telemetry; empty to store anomalies only.");

    public static final ConfigOption<Integer> BATCH_SIZE =
            key("sinks.influxdb.batch-size")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("Points per write.");

    public static final ConfigOption<Duration> FLUSH_INTERVAL =
            key("sinks.influxdb.flush-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription("A partial batch is written after this long.");

    private InfluxDbOptions() {}
}

package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * {@code query-api.*}: the side service (query-api/). It also reads {@code sinks.influxdb.*} and
 * {@code sinks.redis.*}: the same servers, read instead of written. The job accepts and ignores
 * this section, so both read one file.
 */
public final class QueryApiOptions implements OptionGroup {
    public static final QueryApiOptions GROUP = new QueryApiOptions();

    public static final ConfigOption<String> BIND =
            key("query-api.bind")
                    .stringType()
                    .defaultValue("127.0.0.1")
                    .withDescription("Address the service listens on (0.0.0.0 in a container).");

    public static final ConfigOption<Integer> PORT =
            key("query-api.port")
                    .intType()
                    .defaultValue(8080)
                    .withDescription("HTTP port; 0 takes any free port.");

    public static final ConfigOption<List<String>> TOKEN_HASHES =
            key("query-api.token-hashes")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Each accepted bearer token as NAME:SHA256HEX (printf %s \"$TOKEN\" |"
                                    + " sha256sum): NAME is recorded as the author of every"
                                    + " command, acknowledgement and label made with it. A bare"
                                    + " hash is still accepted, named token-<its first 8 hex>."
                                    + " Only the hashes are configured.");

    public static final ConfigOption<List<String>> ADMIN_TOKEN_HASHES =
            key("query-api.admin-token-hashes")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Each token that may also change what is in force (silences,"
                                    + " maintenance windows and rules: the admin scope), as"
                                    + " NAME:SHA256HEX like token-hashes. Acknowledging and"
                                    + " labelling need any token.");

    public static final ConfigOption<String> LABELS_MEASUREMENT =
            key("query-api.labels-measurement")
                    .stringType()
                    .defaultValue("alert_labels")
                    .withDescription(
                            "InfluxDB measurement of acknowledgements and labels: their only"
                                    + " record (they no longer go to the control topic).");

    public static final ConfigOption<List<String>> CORS_ALLOWED_ORIGINS =
            key("query-api.cors-allowed-origins")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription("Browser origins allowed to call the API.");

    public static final ConfigOption<Integer> MAX_REQUEST_BYTES =
            key("query-api.max-request-bytes")
                    .intType()
                    .defaultValue(16384)
                    .withDescription("Larger requests (URL, headers and body) are refused.");

    public static final ConfigOption<Duration> CACHE_TTL =
            key("query-api.cache-ttl")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "Answers are cached this long in-process (Caffeine); the shared Redis"
                                    + " cache keeps them twice as long.");

    public static final ConfigOption<Duration> QUERY_TIMEOUT =
            key("query-api.query-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("A query to InfluxDB or Redis that takes longer fails (502).");

    private QueryApiOptions() {}

    @Override
    public void validate(SentinelConfig c) {
        c.requireAtLeast(PORT, 0);
        c.requireAtLeast(MAX_REQUEST_BYTES, 1024);
        if (c.get(CACHE_TTL).isNegative() || c.get(QUERY_TIMEOUT).toMillis() < 1) {
            throw new ConfigException(
                    "'query-api.cache-ttl' must not be negative and 'query-api.query-timeout'"
                            + " must be positive");
        }
    }
}

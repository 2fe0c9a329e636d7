package io.llmsentinel.query;

import io.llmsentinel.functions.config.ControlOptions;
import io.llmsentinel.functions.config.InfluxDbOptions;
import io.llmsentinel.functions.config.KafkaOptions;
import io.llmsentinel.functions.config.QueryApiOptions;
import io.llmsentinel.functions.config.RedisOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The service's settings, read from {@code sentinel.yaml} by the job's own loader ({@link
 * SentinelConfig}): its {@code query-api} section and the job's {@code sinks.influxdb} and {@code
 * sinks.redis} sections (the same servers, read instead of written). The same override rules as the
 * job: {@code --key value} arguments, then {@code SENTINEL_<KEY>} environment variables (how a
 * container is configured), then the file; secrets only from the environment. Token entries are
 * checked here, so a malformed one stops the start with a {@link
 * io.llmsentinel.functions.config.ConfigException} naming its key.
 */
public record QueryApiConfig(
        String bind,
        int port,
        BearerTokens tokens,
        List<String> corsAllowedOrigins,
        long maxRequestBytes,
        Duration cacheTtl,
        Duration queryTimeout,
        String influxHost,
        String influxDatabase,
        String influxTokenEnv,
        String anomaliesMeasurement,
        String alertsMeasurement,
        String requestsMeasurement,
        String redisHost,
        int redisPort,
        String redisPasswordEnv,
        String labelsMeasurement,
        boolean controlEnabled,
        String controlTopic,
        String kafkaBootstrapServers,
        java.util.Properties kafkaProperties,
        Function<String, String> env) {

    public static QueryApiConfig from(SentinelConfig c, Function<String, String> env) {
        return new QueryApiConfig(
                c.get(QueryApiOptions.BIND),
                c.get(QueryApiOptions.PORT),
                BearerTokens.parse(
                        c.get(QueryApiOptions.TOKEN_HASHES),
                        c.get(QueryApiOptions.ADMIN_TOKEN_HASHES)),
                c.get(QueryApiOptions.CORS_ALLOWED_ORIGINS).stream().map(String::trim).toList(),
                c.get(QueryApiOptions.MAX_REQUEST_BYTES),
                c.get(QueryApiOptions.CACHE_TTL),
                c.get(QueryApiOptions.QUERY_TIMEOUT),
                c.get(InfluxDbOptions.HOST),
                c.get(InfluxDbOptions.DATABASE),
                c.get(InfluxDbOptions.TOKEN_ENV),
                c.get(InfluxDbOptions.ANOMALIES_MEASUREMENT),
                c.get(InfluxDbOptions.ALERTS_MEASUREMENT),
                c.get(InfluxDbOptions.REQUESTS_MEASUREMENT),
                c.get(RedisOptions.HOST),
                c.get(RedisOptions.PORT),
                c.get(RedisOptions.PASSWORD_ENV),
                c.get(QueryApiOptions.LABELS_MEASUREMENT),
                c.get(ControlOptions.ENABLED),
                c.get(ControlOptions.TOPIC),
                c.get(KafkaOptions.BOOTSTRAP_SERVERS),
                c.kafkaClientProperties(),
                env);
    }

    public char[] influxToken() {
        String t =
                influxTokenEnv == null || influxTokenEnv.isBlank()
                        ? null
                        : env.apply(influxTokenEnv);
        return t == null || t.isEmpty() ? null : t.toCharArray();
    }

    public String redisPassword() {
        String p =
                redisPasswordEnv == null || redisPasswordEnv.isBlank()
                        ? null
                        : env.apply(redisPasswordEnv);
        return p == null || p.isEmpty() ? null : p;
    }

    /** What the service logs at start: token names, no hashes, no secrets. */
    public Map<String, Object> describe() {
        return Map.of(
                "listen",
                bind + ":" + port,
                "tokens",
                tokens.describe(),
                "cors",
                corsAllowedOrigins,
                "influxdb",
                influxHost + " database " + influxDatabase,
                "redis",
                redisHost + ":" + redisPort,
                "control",
                controlEnabled ? controlTopic + " on " + kafkaBootstrapServers : "off");
    }
}

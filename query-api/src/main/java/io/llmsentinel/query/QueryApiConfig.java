package io.llmsentinel.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service's settings: its own {@code query-api} section of {@code conf/sentinel.yaml}, and the
 * job's {@code sinks.influxdb} and {@code sinks.redis} sections (the same servers, read instead of
 * written). Each can be overridden from the environment ({@code SENTINEL_QUERY_API_PORT}, ...),
 * which is how a container is configured; secrets come only from the environment.
 */
public record QueryApiConfig(
        String bind,
        int port,
        List<String> tokenHashes,
        List<String> corsAllowedOrigins,
        long maxRequestBytes,
        Duration cacheTtl,
        Duration queryTimeout,
        String influxHost,
        String influxDatabase,
        String influxTokenEnv,
        String anomaliesMeasurement,
        String requestsMeasurement,
        String redisHost,
        int redisPort,
        String redisPasswordEnv,
        Function<String, String> env) {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|min|m|h|d)");

    public static QueryApiConfig load(Path file, Function<String, String> env) throws Exception {
        JsonNode root =
                file == null
                        ? new ObjectMapper().createObjectNode()
                        : new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        if (root == null) {
            root = new ObjectMapper().createObjectNode();
        }
        JsonNode q = root.path("query-api");
        JsonNode influx = root.path("sinks").path("influxdb");
        JsonNode redis = root.path("sinks").path("redis");
        return new QueryApiConfig(
                text(env, "SENTINEL_QUERY_API_BIND", q, "bind", "127.0.0.1"),
                Integer.parseInt(text(env, "SENTINEL_QUERY_API_PORT", q, "port", "8080")),
                list(env, "SENTINEL_QUERY_API_TOKEN_HASHES", q, "token-hashes"),
                list(env, "SENTINEL_QUERY_API_CORS_ORIGINS", q, "cors-allowed-origins"),
                Long.parseLong(
                        text(
                                env,
                                "SENTINEL_QUERY_API_MAX_REQUEST_BYTES",
                                q,
                                "max-request-bytes",
                                "16384")),
                duration(text(env, "SENTINEL_QUERY_API_CACHE_TTL", q, "cache-ttl", "5 s")),
                duration(text(env, "SENTINEL_QUERY_API_QUERY_TIMEOUT", q, "query-timeout", "5 s")),
                text(env, "SENTINEL_INFLUXDB_HOST", influx, "host", "http://127.0.0.1:8181"),
                text(env, "SENTINEL_INFLUXDB_DATABASE", influx, "database", "sentinel"),
                text(
                        env,
                        "SENTINEL_INFLUXDB_TOKEN_ENV",
                        influx,
                        "token-env",
                        "INFLUXDB3_AUTH_TOKEN"),
                text(
                        env,
                        "SENTINEL_INFLUXDB_ANOMALIES_MEASUREMENT",
                        influx,
                        "anomalies-measurement",
                        "anomalies"),
                text(
                        env,
                        "SENTINEL_INFLUXDB_REQUESTS_MEASUREMENT",
                        influx,
                        "requests-measurement",
                        "llm_requests"),
                text(env, "SENTINEL_REDIS_HOST", redis, "host", "127.0.0.1"),
                Integer.parseInt(text(env, "SENTINEL_REDIS_PORT", redis, "port", "6379")),
                text(env, "SENTINEL_REDIS_PASSWORD_ENV", redis, "password-env", "REDIS_PASSWORD"),
                env);
    }

    private static String text(
            Function<String, String> env, String var, JsonNode section, String key, String def) {
        String v = env.apply(var);
        if (v != null && !v.isBlank()) {
            return v.trim();
        }
        JsonNode n = section.path(key);
        return n.isMissingNode() || n.isNull() ? def : n.asText();
    }

    private static List<String> list(
            Function<String, String> env, String var, JsonNode section, String key) {
        List<String> out = new ArrayList<>();
        String v = env.apply(var);
        if (v != null && !v.isBlank()) {
            for (String s : v.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
            return out;
        }
        section.path(key).forEach(n -> out.add(n.asText().trim()));
        return out;
    }

    static Duration duration(String s) {
        Matcher m = DURATION.matcher(s.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: '" + s + "' (e.g. 5 s, 500 ms)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m", "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
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

    /** What the service logs at start: no token hashes, no secrets. */
    public Map<String, Object> describe() {
        return Map.of(
                "listen", bind + ":" + port,
                "tokens", tokenHashes.size() + " configured",
                "cors", corsAllowedOrigins,
                "influxdb", influxHost + " database " + influxDatabase,
                "redis", redisHost + ":" + redisPort);
    }
}

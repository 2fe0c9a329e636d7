package io.llmsentinel.sinks.influx;

import io.llmsentinel.functions.config.ConfigException;
import io.llmsentinel.functions.config.InfluxDbOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import java.io.Serializable;

/**
 * Where and how points go to InfluxDB 3.
 *
 * @param host the server's URL ({@code http://127.0.0.1:8181})
 * @param database the database (InfluxDB 3) or bucket
 * @param tokenEnv the environment variable that holds the token (never the token itself, so it
 *     cannot leak through the job graph, the web UI or a savepoint); empty for no token
 * @param batchSize points per write
 * @param flushIntervalMs a partial batch is written after this long
 */
public record InfluxSettings(
        String host, String database, String tokenEnv, int batchSize, long flushIntervalMs)
        implements Serializable {

    public InfluxSettings {
        if (host == null || host.isBlank() || database == null || database.isBlank()) {
            throw new IllegalArgumentException("InfluxDB host and database must be set");
        }
        if (batchSize < 1 || flushIntervalMs < 1) {
            throw new IllegalArgumentException("InfluxDB batch settings must be positive");
        }
    }

    /** {@code sinks.influxdb.*}. */
    public static InfluxSettings from(SentinelConfig c) {
        try {
            return new InfluxSettings(
                    c.get(InfluxDbOptions.HOST),
                    c.get(InfluxDbOptions.DATABASE),
                    c.get(InfluxDbOptions.TOKEN_ENV),
                    c.get(InfluxDbOptions.BATCH_SIZE),
                    c.get(InfluxDbOptions.FLUSH_INTERVAL).toMillis());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("sinks.influxdb: " + e.getMessage());
        }
    }

    /** The token from the environment, or null. */
    char[] token() {
        if (tokenEnv == null || tokenEnv.isBlank()) {
            return null;
        }
        String t = System.getenv(tokenEnv);
        return t == null || t.isEmpty() ? null : t.toCharArray();
    }
}

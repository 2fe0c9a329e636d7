package io.llmsentinel.sinks.redis;

import io.llmsentinel.functions.config.ConfigException;
import io.llmsentinel.functions.config.RedisOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import java.io.Serializable;

/**
 * Where and how the live view goes to Redis.
 *
 * @param host Redis host
 * @param port Redis port
 * @param passwordEnv the environment variable holding the password (never the password itself, so
 *     it cannot leak through the job graph or the web UI); empty for none
 * @param ttlSeconds every key expires this long after its last write
 * @param recentAnomalies anomalies kept per service (newest first)
 * @param queueCapacity writes waiting for Redis; beyond it new writes are dropped and counted
 * @param timeoutMs connect and socket timeout
 */
public record RedisSettings(
        String host,
        int port,
        String passwordEnv,
        long ttlSeconds,
        int recentAnomalies,
        int queueCapacity,
        int timeoutMs)
        implements Serializable {

    public RedisSettings {
        if (host == null || host.isBlank() || port <= 0) {
            throw new IllegalArgumentException("Redis host and port must be set");
        }
        if (ttlSeconds < 1 || recentAnomalies < 1 || queueCapacity < 1 || timeoutMs < 1) {
            throw new IllegalArgumentException("Redis TTL, caps and timeout must be positive");
        }
    }

    /** {@code sinks.redis.*}. */
    public static RedisSettings from(SentinelConfig c) {
        try {
            return new RedisSettings(
                    c.get(RedisOptions.HOST),
                    c.get(RedisOptions.PORT),
                    c.get(RedisOptions.PASSWORD_ENV),
                    c.get(RedisOptions.TTL).toSeconds(),
                    c.get(RedisOptions.RECENT_ANOMALIES),
                    10_000,
                    2000);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("sinks.redis: " + e.getMessage());
        }
    }

    String password() {
        if (passwordEnv == null || passwordEnv.isBlank()) {
            return null;
        }
        String p = System.getenv(passwordEnv);
        return p == null || p.isEmpty() ? null : p;
    }
}

package io.llmsentinel.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * Query results, cached twice with short TTLs: in-process (Caffeine), then shared between replicas
 * (Redis, key {@code sentinel:qcache:<sha256 of the normalized query>}). Redis down: the in-process
 * cache and InfluxDB answer alone. Hits and misses of each layer are counted.
 */
public final class QueryCache {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Cache<String, String> local;
    private final long stepMs;
    private final RedisView redis;
    private final long ttlSeconds;
    private final ApiMetrics metrics;

    /** What the answers are of (the InfluxDB database): part of every shared key. */
    private final String namespace;

    public QueryCache(Duration ttl, RedisView redis, ApiMetrics metrics) {
        this(ttl, redis, metrics, "");
    }

    /**
     * A cache whose Redis keys include {@code namespace}, so query APIs in front of different
     * databases that share one Redis never answer with each other's results.
     */
    public QueryCache(Duration ttl, RedisView redis, ApiMetrics metrics, String namespace) {
        this.namespace = namespace;
        this.stepMs = Math.max(1, ttl.toMillis());
        this.local = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(ttl).build();
        this.redis = redis;
        this.ttlSeconds = Math.max(1, ttl.toSeconds() * 2);
        this.metrics = metrics;
    }

    /**
     * The JSON answer of a normalized query, from a cache or from {@code load}. Concurrent requests
     * for the same missing key wait for one load (no stampede when an entry expires).
     */
    public String get(String normalizedQuery, Supplier<String> load) {
        boolean[] loaded = {false};
        String answer =
                local.get(
                        normalizedQuery,
                        q -> {
                            loaded[0] = true;
                            return shared(q, load);
                        });
        metrics.cache("caffeine", !loaded[0]);
        return answer;
    }

    /** Answers with the cached JSON of {@code key}, or with {@code load}'s, cached. */
    public void answer(Context ctx, String key, Supplier<Object> load) {
        ctx.contentType("application/json").result(get(key, () -> write(load.get())));
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * "Now" for a default time range, in steps of the TTL: requests within one step share a range,
     * so they share cached answers; the answer is at most one TTL old, as any cached one.
     */
    public Instant now() {
        long t = System.currentTimeMillis();
        return Instant.ofEpochMilli(t - t % stepMs + stepMs);
    }

    /** Forgets a cached answer here and in Redis: after a write that changes it. */
    public void invalidate(String normalizedQuery) {
        local.invalidate(normalizedQuery);
        try {
            redis.cacheDelete(key(normalizedQuery));
        } catch (RedisView.Unavailable e) {
            metrics.backendError("redis");
        }
    }

    private String key(String normalizedQuery) {
        return "sentinel:qcache:" + sha256(namespace + "\n" + normalizedQuery);
    }

    private String shared(String normalizedQuery, Supplier<String> load) {
        String key = key(normalizedQuery);
        String cached = null;
        try {
            cached = redis.cacheGet(key);
            metrics.cache("redis", cached != null);
        } catch (RedisView.Unavailable e) {
            metrics.cache("redis", false);
            metrics.backendError("redis");
        }
        if (cached == null) {
            cached = load.get();
            try {
                redis.cachePut(key, cached, ttlSeconds);
            } catch (RedisView.Unavailable e) {
                // shared cache unavailable: the answer still goes out
            }
        }
        return cached;
    }

    static String sha256(String s) {
        return HexFormat.of().formatHex(BearerTokens.sha256(s));
    }
}

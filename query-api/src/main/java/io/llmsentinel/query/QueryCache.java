package io.llmsentinel.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * Query results, cached twice with short TTLs: in-process (Caffeine), then shared between replicas
 * (Redis, key {@code sentinel:qcache:<sha256 of the normalized query>}). Redis down: the in-process
 * cache and InfluxDB answer alone. Hits and misses of each layer are counted.
 */
public final class QueryCache {
    private final Cache<String, String> local;
    private final RedisView redis;
    private final long ttlSeconds;
    private final ApiMetrics metrics;

    public QueryCache(Duration ttl, RedisView redis, ApiMetrics metrics) {
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

    private String shared(String normalizedQuery, Supplier<String> load) {
        String key = "sentinel:qcache:" + sha256(normalizedQuery);
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
        return HexFormat.of().formatHex(QueryApi.sha256(s));
    }
}

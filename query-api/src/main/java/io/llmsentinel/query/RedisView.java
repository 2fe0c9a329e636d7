package io.llmsentinel.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.functions.model.RedisKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/**
 * The live view the job keeps in Redis ({@link RedisKeys}), and the shared query cache. Short
 * timeouts; after a failure Redis is left alone for a few seconds, so a dead Redis costs one
 * timeout now and then, not one per request.
 */
public final class RedisView implements AutoCloseable {
    private static final long BACKOFF_MS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JedisPooled redis;
    private volatile long downUntilMs;

    public RedisView(QueryApiConfig c) {
        redis =
                new JedisPooled(
                        new HostAndPort(c.redisHost(), c.redisPort()),
                        DefaultJedisClientConfig.builder()
                                .connectionTimeoutMillis(500)
                                .socketTimeoutMillis(1000)
                                .password(c.redisPassword())
                                .clientName("llm-sentinel-query-api")
                                .build());
    }

    /** Thrown when Redis is down or was down a moment ago. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private <T> T call(java.util.function.Function<JedisPooled, T> f) {
        if (System.currentTimeMillis() < downUntilMs) {
            throw new Unavailable("Redis is unavailable");
        }
        try {
            return f.apply(redis);
        } catch (RuntimeException e) {
            downUntilMs = System.currentTimeMillis() + BACKOFF_MS;
            throw new Unavailable("Redis is unavailable: " + e.getClass().getSimpleName());
        }
    }

    public boolean ping() {
        try {
            return "PONG".equals(call(JedisPooled::ping));
        } catch (Unavailable e) {
            return false;
        }
    }

    public List<String> services() {
        List<String> members = call(r -> r.zrange(RedisKeys.SERVICES, 0, -1));
        return new ArrayList<>(new TreeSet<>(members));
    }

    /** The live baselines of a service (optionally of one metric or model), sorted by key. */
    public List<Map<String, Object>> baselines(String service, String model, String metric) {
        List<Map<String, Object>> out = new ArrayList<>();
        List<String> keys = call(r -> r.zrange(RedisKeys.baselines(service), 0, -1));
        for (String key : new TreeSet<>(keys)) {
            Map<String, String> h = call(r -> r.hgetAll(key));
            if (h.isEmpty()
                    || (model != null && !model.equals(h.get("model")))
                    || (metric != null && !metric.equals(h.get("metric")))) {
                continue;
            }
            Map<String, Object> b = new LinkedHashMap<>();
            for (String k :
                    List.of("service", "model", "provider", "operation", "environment", "metric")) {
                if (h.containsKey(k)) {
                    b.put(k, h.get(k));
                }
            }
            for (String k :
                    List.of(
                            "samples",
                            "mean",
                            "stddev",
                            "median",
                            "mad",
                            "q1",
                            "q3",
                            "last_value")) {
                if (h.containsKey(k)) {
                    b.put(k, Double.parseDouble(h.get(k)));
                }
            }
            if (h.containsKey("event_time_ms")) {
                b.put(
                        "event_time",
                        java.time.Instant.ofEpochMilli(Long.parseLong(h.get("event_time_ms")))
                                .toString());
            }
            out.add(b);
        }
        return out;
    }

    /** A service's recent anomalies, newest first. */
    public List<Object> recentAnomalies(String service, int limit) {
        List<Object> out = new ArrayList<>();
        for (String json : call(r -> r.lrange(RedisKeys.recentAnomalies(service), 0, limit - 1))) {
            try {
                out.add(JSON.readTree(json));
            } catch (Exception e) {
                // a value this service cannot read is skipped, not passed on
            }
        }
        return out;
    }

    public String cacheGet(String key) {
        return call(r -> r.get(key));
    }

    public void cachePut(String key, String value, long ttlSeconds) {
        call(r -> r.setex(key, ttlSeconds, value));
    }

    public void cacheDelete(String key) {
        call(r -> r.del(key));
    }

    @Override
    public void close() {
        redis.close();
    }
}

package io.llmsentinel.sinks.redis;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.anomaly.AnomalyJson;
import io.llmsentinel.functions.model.BaselineSnapshot;
import io.llmsentinel.functions.model.RedisKeys;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import redis.clients.jedis.Pipeline;

/** What a record becomes in Redis ({@link RedisKeys}), as pipelined commands. */
public final class RedisWrites {
    private RedisWrites() {}

    /** Adds the commands for one record to a pipeline. */
    public interface Mapper<T> extends Serializable {
        void write(Pipeline p, T value, RedisSettings s);
    }

    public static Mapper<BaselineSnapshot> baselines() {
        return RedisWrites::baseline;
    }

    public static Mapper<Anomaly> recentAnomalies() {
        return RedisWrites::anomaly;
    }

    static void baseline(Pipeline p, BaselineSnapshot b, RedisSettings s) {
        String key = RedisKeys.baseline(b.service, b.model, b.provider, b.operation, b.metric);
        Map<String, String> h = new HashMap<>();
        put(h, "service", b.service);
        put(h, "model", b.model);
        put(h, "provider", b.provider);
        put(h, "operation", b.operation);
        put(h, "environment", b.environment);
        put(h, "metric", b.metric);
        h.put("samples", Long.toString(b.samples));
        number(h, "mean", b.mean);
        number(h, "stddev", b.stddev);
        number(h, "median", b.median);
        number(h, "mad", b.mad);
        number(h, "q1", b.q1);
        number(h, "q3", b.q3);
        number(h, "last_value", b.lastValue);
        h.put("event_time_ms", Long.toString(b.eventTimeMs));
        h.put("updated_at_ms", Long.toString(System.currentTimeMillis()));
        p.hset(key, h);
        p.expire(key, s.ttlSeconds());
        String index = RedisKeys.baselines(b.service);
        p.sadd(index, key);
        p.expire(index, s.ttlSeconds());
        service(p, b.service, s);
    }

    static void anomaly(Pipeline p, Anomaly a, RedisSettings s) {
        String key = RedisKeys.recentAnomalies(a.service);
        p.lpush(key, AnomalyJson.toJson(a));
        p.ltrim(key, 0, s.recentAnomalies() - 1);
        p.expire(key, s.ttlSeconds());
        service(p, a.service, s);
    }

    private static void service(Pipeline p, String service, RedisSettings s) {
        p.sadd(RedisKeys.SERVICES, service == null ? "-" : service);
        p.expire(RedisKeys.SERVICES, s.ttlSeconds());
    }

    private static void put(Map<String, String> h, String k, String v) {
        if (v != null) {
            h.put(k, v);
        }
    }

    private static void number(Map<String, String> h, String k, double v) {
        if (Double.isFinite(v)) {
            h.put(k, Double.toString(v));
        }
    }
}

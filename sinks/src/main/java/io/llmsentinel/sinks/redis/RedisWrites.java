package io.llmsentinel.sinks.redis;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.anomaly.AnomalyJson;
import io.llmsentinel.functions.model.BaselineSnapshot;
import io.llmsentinel.functions.model.RedisKeys;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;

/**
 * What a record becomes in Redis ({@link RedisKeys}): a list of commands, each {@code [name,
 * args...]}, kept as such in the writer's backlog while Redis is away.
 */
public final class RedisWrites {
    private RedisWrites() {}

    /** The commands for one record. */
    public interface Mapper<T> extends Serializable {
        List<String[]> commands(T value, RedisSettings s, long nowMs);

        /** Adds the commands of a record to a pipeline (tools that write directly). */
        default void write(Pipeline p, T value, RedisSettings s) {
            send(p, commands(value, s, System.currentTimeMillis()));
        }
    }

    public static Mapper<BaselineSnapshot> baselines() {
        return RedisWrites::baseline;
    }

    public static Mapper<Anomaly> recentAnomalies() {
        return RedisWrites::anomaly;
    }

    /** Sends commands on a pipeline. */
    public static void send(Pipeline p, List<String[]> commands) {
        for (String[] c : commands) {
            p.sendCommand(Protocol.Command.valueOf(c[0]), Arrays.copyOfRange(c, 1, c.length));
        }
    }

    static List<String[]> baseline(BaselineSnapshot b, RedisSettings s, long now) {
        String key = RedisKeys.baseline(b.service, b.model, b.provider, b.operation, b.metric);
        List<String> h = new ArrayList<>();
        h.add("HSET");
        h.add(key);
        put(h, "service", b.service);
        put(h, "model", b.model);
        put(h, "provider", b.provider);
        put(h, "operation", b.operation);
        put(h, "environment", b.environment);
        put(h, "metric", b.metric);
        put(h, "samples", Long.toString(b.samples));
        number(h, "mean", b.mean);
        number(h, "stddev", b.stddev);
        number(h, "median", b.median);
        number(h, "mad", b.mad);
        number(h, "q1", b.q1);
        number(h, "q3", b.q3);
        number(h, "last_value", b.lastValue);
        put(h, "event_time_ms", Long.toString(b.eventTimeMs));
        put(h, "updated_at_ms", Long.toString(now));
        List<String[]> out = new ArrayList<>();
        out.add(h.toArray(new String[0]));
        out.add(expire(key, s));
        index(out, RedisKeys.baselines(b.service), key, s, now);
        index(out, RedisKeys.SERVICES, orDash(b.service), s, now);
        return out;
    }

    static List<String[]> anomaly(Anomaly a, RedisSettings s, long now) {
        String key = RedisKeys.recentAnomalies(a.service);
        List<String[]> out = new ArrayList<>();
        out.add(new String[] {"LPUSH", key, AnomalyJson.toJson(a)});
        out.add(new String[] {"LTRIM", key, "0", Long.toString(s.recentAnomalies() - 1)});
        out.add(expire(key, s));
        index(out, RedisKeys.SERVICES, orDash(a.service), s, now);
        return out;
    }

    /**
     * Adds a member to an index scored by this write's time, drops members not written for a TTL
     * (their keys have expired), and renews the index's own TTL.
     */
    private static void index(
            List<String[]> out, String index, String member, RedisSettings s, long now) {
        out.add(new String[] {"ZADD", index, Long.toString(now), member});
        out.add(
                new String[] {
                    "ZREMRANGEBYSCORE", index, "-inf", "(" + (now - s.ttlSeconds() * 1000)
                });
        out.add(expire(index, s));
    }

    private static String[] expire(String key, RedisSettings s) {
        return new String[] {"EXPIRE", key, Long.toString(s.ttlSeconds())};
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

    private static void put(List<String> h, String k, String v) {
        if (v != null) {
            h.add(k);
            h.add(v);
        }
    }

    private static void number(List<String> h, String k, double v) {
        if (Double.isFinite(v)) {
            h.add(k);
            h.add(Double.toString(v));
        }
    }
}

package io.llmsentinel.query;

import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The read routes over what the job wrote: anomalies and telemetry from InfluxDB (cached), live
 * baselines and recent anomalies from Redis, the services known to either.
 */
final class QueryRoutes {
    /** The filters of /api/v1/anomalies, besides from, to, limit and cursor. */
    static final List<String> ANOMALY_FILTERS =
            List.of("service", "model", "provider", "metric", "severity", "type", "detector");

    private final InfluxQueries influx;
    private final RedisView redis;
    private final QueryCache cache;
    private final ApiMetrics metrics;

    QueryRoutes(InfluxQueries influx, RedisView redis, QueryCache cache, ApiMetrics metrics) {
        this.influx = influx;
        this.redis = redis;
        this.cache = cache;
        this.metrics = metrics;
    }

    void anomalies(Context ctx) {
        Params p = new Params(ctx.queryParamMap());
        List<String> allowed = new ArrayList<>(ANOMALY_FILTERS);
        allowed.addAll(List.of("from", "to", "limit", "cursor"));
        p.allowOnly(allowed);
        Instant[] range = p.range(cache.now());
        InfluxQueries.AnomalyFilter f =
                new InfluxQueries.AnomalyFilter(
                        range[0],
                        range[1],
                        p.name("service"),
                        p.name("model"),
                        p.name("provider"),
                        p.oneOf("metric", Params.METRICS),
                        p.oneOf("severity", Params.SEVERITIES),
                        p.oneOf("type", Params.TYPES),
                        p.oneOf("detector", Params.DETECTORS));
        int limit = p.limit(100, 1000);
        String cursor = p.one("cursor");
        if (cursor != null) {
            InfluxQueries.decodeCursor(cursor); // a 400 before any query
        }
        // Time defaults move with the clock: cache by the resolved range, not the raw input.
        String key = "anomalies " + p.normalized() + " " + range[0] + " " + range[1];
        cache.answer(
                ctx,
                key,
                () -> {
                    InfluxQueries.Page page = influx.anomalies(f, limit, cursor);
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("items", page.items());
                    body.put("next_cursor", page.nextCursor());
                    return body;
                });
    }

    void anomaly(Context ctx) {
        String id = ctx.pathParam("id");
        Params.checkId(id);
        Map<String, Object> a = influx.anomaly(id);
        if (a == null) {
            throw Problem.notFound("no anomaly with id " + id);
        }
        ctx.json(a);
    }

    void recentAnomalies(Context ctx) {
        Params p = new Params(ctx.queryParamMap());
        p.allowOnly(List.of("service", "limit"));
        String service = Params.required(p.name("service"), "service");
        int limit = p.limit(50, 100);
        ctx.json(Map.of("service", service, "items", redis.recentAnomalies(service, limit)));
    }

    void telemetry(Context ctx) {
        Params p = new Params(ctx.queryParamMap());
        p.allowOnly(List.of("service", "model", "from", "to", "interval", "limit"));
        Instant[] range = p.range(cache.now());
        String service = p.name("service");
        String model = p.name("model");
        String interval = p.one("interval");
        // Time defaults move with the clock: cache by the resolved range, not the raw input.
        String key = "telemetry " + p.normalized() + " " + range[0] + " " + range[1];
        if (interval == null) {
            int limit = p.limit(100, 1000);
            cache.answer(
                    ctx,
                    key,
                    () ->
                            Map.of(
                                    "items",
                                    influx.requests(range[0], range[1], service, model, limit)));
            return;
        }
        if (!InfluxQueries.INTERVALS.containsKey(interval)) {
            throw Problem.badParameter("interval", "'interval' must be one of 1m, 5m, 1h");
        }
        if (p.one("limit") != null) {
            throw Problem.badParameter("limit", "'limit' applies to raw telemetry only");
        }
        long buckets =
                Duration.between(range[0], range[1]).toMinutes()
                        / switch (interval) {
                            case "1m" -> 1;
                            case "5m" -> 5;
                            default -> 60;
                        };
        if (buckets > 10_000) {
            throw Problem.badParameter("interval", "at most 10,000 intervals per query; widen it");
        }
        cache.answer(
                ctx,
                key,
                () ->
                        Map.of(
                                "interval",
                                interval,
                                "items",
                                influx.aggregated(range[0], range[1], service, model, interval)));
    }

    void baselines(Context ctx) {
        Params p = new Params(ctx.queryParamMap());
        p.allowOnly(List.of("service", "model", "metric"));
        String service = Params.required(p.name("service"), "service");
        String model = p.name("model");
        String metric = p.oneOf("metric", Params.METRICS);
        ctx.json(Map.of("service", service, "items", redis.baselines(service, model, metric)));
    }

    void services(Context ctx) {
        new Params(ctx.queryParamMap()).allowOnly(List.of());
        List<String> services;
        String source;
        try {
            services = redis.services();
            source = "redis";
        } catch (RedisView.Unavailable e) {
            metrics.backendError("redis");
            services = influx.services();
            source = "influxdb";
        }
        ctx.json(Map.of("items", services, "source", source));
    }
}

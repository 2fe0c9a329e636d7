package io.llmsentinel.query;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The service's own metrics, in the Prometheus text format at {@code /metrics}. */
public final class ApiMetrics {
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> latencyMicros = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> latencyCount = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> cache = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    private static void inc(Map<String, LongAdder> m, String key, long by) {
        m.computeIfAbsent(key, k -> new LongAdder()).add(by);
    }

    public void request(String route, int status, long micros) {
        inc(requests, "route=\"" + route + "\",status=\"" + status + "\"", 1);
        inc(latencyMicros, "route=\"" + route + "\"", micros);
        inc(latencyCount, "route=\"" + route + "\"", 1);
    }

    public void cache(String layer, boolean hit) {
        inc(cache, "layer=\"" + layer + "\",result=\"" + (hit ? "hit" : "miss") + "\"", 1);
    }

    public void backendError(String backend) {
        inc(errors, "backend=\"" + backend + "\"", 1);
    }

    public String prometheus() {
        StringBuilder b = new StringBuilder();
        block(
                b,
                "sentinel_query_api_requests_total",
                "counter",
                "HTTP requests by route and status",
                requests,
                1);
        block(
                b,
                "sentinel_query_api_request_seconds_sum",
                "counter",
                "Time spent answering, by route",
                latencyMicros,
                1e-6);
        block(
                b,
                "sentinel_query_api_request_seconds_count",
                "counter",
                "Requests timed, by route",
                latencyCount,
                1);
        block(
                b,
                "sentinel_query_api_cache_requests_total",
                "counter",
                "Cache lookups by layer and result",
                cache,
                1);
        block(
                b,
                "sentinel_query_api_backend_errors_total",
                "counter",
                "Failed calls to InfluxDB or Redis",
                errors,
                1);
        return b.toString();
    }

    private static void block(
            StringBuilder b,
            String name,
            String type,
            String help,
            Map<String, LongAdder> values,
            double scale) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (Map.Entry<String, LongAdder> e : new TreeMap<>(values).entrySet()) {
            double v = e.getValue().sum() * scale;
            b.append(name).append('{').append(e.getKey()).append("} ");
            b.append(scale == 1 ? Long.toString((long) v) : Double.toString(v)).append('\n');
        }
    }
}

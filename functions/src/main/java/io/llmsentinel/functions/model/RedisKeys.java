package io.llmsentinel.functions.model;

/**
 * The documented Redis layout, shared by the job (writer) and the query API (reader). Components
 * are escaped ({@code %} and {@code :} percent-encoded) so a service name with a colon cannot
 * collide with another key.
 *
 * <pre>
 *   sentinel:index:services                            ZSET of service names, scored by last write (ms)
 *   sentinel:index:baselines:{service}                 ZSET of the baseline keys of a service,
 *                                                           scored by last write (ms)
 *   sentinel:baseline:{service}:{model}:{provider}:{operation}:{metric}
 *                                                      HASH service, model, provider, operation,
 *                                                           environment, metric, samples, mean,
 *                                                           stddev, median, mad, q1, q3,
 *                                                           last_value, event_time_ms, updated_at_ms
 *   sentinel:anomalies:{service}                       LIST of anomaly JSON, newest first, capped
 * </pre>
 *
 * Every key has the configured TTL, renewed on each write. An index member not written for a TTL is
 * pruned on the next write of its index, so the indexes shrink with their members (the {@code
 * sentinel:services} and {@code sentinel:baselines:*} sets of earlier versions were never pruned;
 * they expire on their own).
 */
public final class RedisKeys {
    private RedisKeys() {}

    public static final String SERVICES = "sentinel:index:services";

    public static String escape(String s) {
        if (s == null || s.isEmpty()) {
            return "-";
        }
        return s.replace("%", "%25").replace(":", "%3A");
    }

    public static String baseline(
            String service, String model, String provider, String operation, String metric) {
        return "sentinel:baseline:"
                + escape(service)
                + ":"
                + escape(model)
                + ":"
                + escape(provider)
                + ":"
                + escape(operation)
                + ":"
                + escape(metric);
    }

    public static String baselines(String service) {
        return "sentinel:index:baselines:" + escape(service);
    }

    public static String recentAnomalies(String service) {
        return "sentinel:anomalies:" + escape(service);
    }
}

package io.llmsentinel.functions.detect;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the detection functions need from the configuration: the watched metrics with their
 * settings, the event-time window of the windowed metrics, and how long quiet keys are kept.
 *
 * @param errorRateMinRequests error_rate is judged only for windows with at least this many
 *     requests: two failures out of three requests say little
 * @param emptyWindows after a key's last request, this many empty windows are still judged (a
 *     request rate of zero is the clearest throughput drop), then the key goes quiet
 * @param baselineEvery a metric's live baseline is emitted (for Redis) every this many values; 0
 *     for never
 */
public record DetectionSettings(
        Map<Metric, MetricSettings> metrics,
        long windowSizeMs,
        int errorRateMinRequests,
        int emptyWindows,
        long stateTtlMs,
        int baselineEvery)
        implements Serializable {

    public DetectionSettings {
        metrics = metrics.isEmpty() ? new EnumMap<>(Metric.class) : new EnumMap<>(metrics);
        if (baselineEvery < 0) {
            throw new IllegalArgumentException("baselineEvery must be >= 0");
        }
    }

    /** Every metric with the SPEC defaults, one-minute windows, a week of TTL. */
    public static DetectionSettings defaults() {
        Map<Metric, MetricSettings> m = new EnumMap<>(Metric.class);
        for (Metric metric : Metric.values()) {
            m.put(metric, defaultsFor(metric));
        }
        return new DetectionSettings(m, 60_000, 10, 3, 7L * 24 * 3600 * 1000, 0);
    }

    public static MetricSettings defaultsFor(Metric metric) {
        return MetricSettings.defaults(
                metric.defaultDirection(),
                metric.defaultLogScale(),
                metric.unit(),
                metric.defaultSeasonal());
    }

    /** The same settings with one metric's replaced (a runtime rule). */
    public DetectionSettings withMetric(Metric metric, MetricSettings s) {
        Map<Metric, MetricSettings> m = new EnumMap<>(metrics);
        m.put(metric, s);
        return new DetectionSettings(
                m, windowSizeMs, errorRateMinRequests, emptyWindows, stateTtlMs, baselineEvery);
    }

    public List<Metric> requestMetrics() {
        List<Metric> out = new ArrayList<>();
        metrics.keySet().stream().filter(Metric::perRequest).forEach(out::add);
        return out;
    }

    public List<Metric> windowMetrics() {
        List<Metric> out = new ArrayList<>();
        metrics.keySet().stream().filter(m -> !m.perRequest()).forEach(out::add);
        return out;
    }
}

package io.llmsentinel.functions.detect;

/**
 * Everything learned about one key (service, model, provider, operation): one baseline per watched
 * metric. Kept in Flink keyed state as one small value, read and written once per event.
 */
public final class KeyBaseline {
    /** Indexed by {@link Metric#ordinal()}; null until the metric is first seen. */
    public final RollingMoments[] metrics = new RollingMoments[Metric.values().length];

    /** Event time of the last request seen for this key, epoch millis. */
    public long lastEventTimeMs;

    public RollingMoments forMetric(Metric m) {
        RollingMoments r = metrics[m.ordinal()];
        if (r == null) {
            r = new RollingMoments();
            metrics[m.ordinal()] = r;
        }
        return r;
    }

    public RollingMoments peek(Metric m) {
        return metrics[m.ordinal()];
    }
}

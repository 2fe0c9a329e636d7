package io.llmsentinel.functions.detect;

/**
 * Everything learned about one key (service, model, provider, operation): one {@link MetricState}
 * per watched metric. Kept in Flink keyed state as one small value, read and written once per
 * event.
 */
public final class KeyBaseline {
    /** Indexed by {@link Metric#ordinal()}; null until the metric is first seen. */
    public final MetricState[] metrics = new MetricState[Metric.values().length];

    /** {@link #firstEventTimeMs} of a key that has seen nothing yet. */
    public static final long UNSET = Long.MIN_VALUE;

    /**
     * Event time of the first value seen for this key, epoch millis: how long its baseline has been
     * learning (the alert policy's quiet start). 0 for keys restored from a format that did not
     * record it: they are old.
     */
    public long firstEventTimeMs = UNSET;

    /** Marks the key as seen at {@code t} if it had seen nothing yet. */
    public void seen(long t) {
        if (firstEventTimeMs == UNSET) {
            firstEventTimeMs = t;
        }
    }

    /** Event time of the last value seen for this key, epoch millis. */
    public long lastEventTimeMs;

    /** Windowed metrics only: end of the last window judged, and empty windows judged since. */
    public long lastWindowEndMs;

    public int emptyWindowsJudged;

    /**
     * Windowed metrics only: the key's dimensions (service, model, provider, operation,
     * environment, namespace), to name the key when it has gone quiet.
     */
    public String[] dimensions;

    public MetricState forMetric(Metric m) {
        MetricState s = metrics[m.ordinal()];
        if (s == null) {
            s = new MetricState();
            metrics[m.ordinal()] = s;
        }
        return s;
    }

    public MetricState peek(Metric m) {
        return metrics[m.ordinal()];
    }
}

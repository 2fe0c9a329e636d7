package io.llmsentinel.functions.read;

import io.llmsentinel.functions.model.MetricPoint;
import java.util.Arrays;

/**
 * Turns a series' points into per-interval (delta) points. A delta point is its own interval. A
 * cumulative point is its series' running totals since its start time, so the interval is the
 * difference to the previous point of the same series:
 *
 * <ul>
 *   <li>same start time, totals not smaller: the difference, from the previous point's time;
 *   <li>a new start time, or totals that went down: the process restarted (a counter reset), a new
 *       series begins, and the point counts as a first point;
 *   <li>a first point counts whole only when its series is fresh (its start less than {@link
 *       #FRESH_SERIES_MS} before it); otherwise its totals since an unknown start are remembered
 *       and nothing is emitted, since they would look like one huge interval;
 *   <li>a point not after the previous one (a repeat, or out of order) is ignored.
 * </ul>
 */
public final class MetricDeltas {
    private MetricDeltas() {}

    /** A first cumulative point counts whole when its series started this recently. */
    public static final long FRESH_SERIES_MS = 5 * 60_000L;

    /** The last cumulative point of a series, as kept in keyed state. */
    public static final class Last {
        public long startMs;
        public long timeMs;
        public long count;
        public double sum;
        public long[] buckets;

        public Last copy() {
            Last l = new Last();
            l.startMs = startMs;
            l.timeMs = timeMs;
            l.count = count;
            l.sum = sum;
            l.buckets = buckets == null ? null : buckets.clone();
            return l;
        }
    }

    /** The interval to emit (or null) and the series' new last point (null for delta series). */
    public record Step(MetricPoint interval, Last last) {}

    public static Step next(Last last, MetricPoint p) {
        if (!p.cumulative) {
            return new Step(p, last);
        }
        Last now = new Last();
        now.startMs = p.startTimeMs;
        now.timeMs = p.timeMs;
        now.count = p.count;
        now.sum = p.sum;
        now.buckets = p.buckets;
        boolean sameSeries = last != null && last.startMs == p.startTimeMs;
        if (sameSeries && p.timeMs <= last.timeMs) {
            return new Step(null, last); // a repeat or out of order: nothing new
        }
        if (sameSeries && notSmaller(last, p)) {
            MetricPoint d = copy(p);
            d.cumulative = false;
            d.startTimeMs = last.timeMs;
            d.count = p.count - last.count;
            d.sum = Double.isNaN(p.sum) ? Double.NaN : p.sum - last.sum;
            if (p.buckets != null) {
                d.buckets = new long[p.buckets.length];
                for (int i = 0; i < p.buckets.length; i++) {
                    d.buckets[i] = p.buckets[i] - last.buckets[i];
                }
            }
            d.min = Double.NaN; // min and max are over the whole series, not this interval
            d.max = Double.NaN;
            return new Step(d.count > 0 || d.sum > 0 ? d : null, now);
        }
        // A first point, or a reset: a new series.
        if (p.timeMs - p.startTimeMs <= FRESH_SERIES_MS) {
            MetricPoint d = copy(p);
            d.cumulative = false;
            return new Step(d.count > 0 ? d : null, now);
        }
        return new Step(null, now);
    }

    private static boolean notSmaller(Last last, MetricPoint p) {
        if (p.count < last.count || (!Double.isNaN(p.sum) && p.sum < last.sum)) {
            return false;
        }
        if (p.buckets == null || last.buckets == null) {
            return p.buckets == null && last.buckets == null;
        }
        if (p.buckets.length != last.buckets.length) {
            return false;
        }
        for (int i = 0; i < p.buckets.length; i++) {
            if (p.buckets[i] < last.buckets[i]) {
                return false;
            }
        }
        return true;
    }

    private static MetricPoint copy(MetricPoint p) {
        MetricPoint c = new MetricPoint();
        c.service = p.service;
        c.environment = p.environment;
        c.namespace = p.namespace;
        c.provider = p.provider;
        c.model = p.model;
        c.operation = p.operation;
        c.kind = p.kind;
        c.seriesId = p.seriesId;
        c.cumulative = p.cumulative;
        c.startTimeMs = p.startTimeMs;
        c.timeMs = p.timeMs;
        c.count = p.count;
        c.sum = p.sum;
        c.error = p.error;
        c.bounds = p.bounds;
        c.buckets = p.buckets == null ? null : Arrays.copyOf(p.buckets, p.buckets.length);
        c.min = p.min;
        c.max = p.max;
        return c;
    }

    /**
     * The q-quantile (0..1) of a histogram's measurements, by linear interpolation inside the
     * bucket where it falls (the first bucket from {@code min}, or 0, to its bound; the last from
     * its bound to {@code max}, or to the bound itself when no max is known). NaN when empty.
     */
    public static double quantile(
            double[] bounds, long[] buckets, double q, double min, double max) {
        long total = 0;
        for (long c : buckets) {
            total += c;
        }
        if (total == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        long seen = 0;
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i] == 0) {
                continue;
            }
            if (seen + buckets[i] >= rank) {
                double lo =
                        i == 0
                                ? (Double.isNaN(min)
                                        ? Math.min(0, bounds.length > 0 ? bounds[0] : 0)
                                        : min)
                                : bounds[i - 1];
                double hi =
                        i < bounds.length
                                ? bounds[i]
                                : (Double.isNaN(max) ? bounds[bounds.length - 1] : max);
                double f = (rank - seen) / buckets[i];
                return lo + Math.max(0, Math.min(1, f)) * (hi - lo);
            }
            seen += buckets[i];
        }
        return bounds.length == 0 ? max : bounds[bounds.length - 1];
    }
}

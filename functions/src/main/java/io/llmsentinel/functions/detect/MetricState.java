package io.llmsentinel.functions.detect;

import java.util.Arrays;

/**
 * Everything learned about one metric of one key, on the detectors' scale: a few numbers, so a
 * key's state stays small enough to read and write on every event.
 *
 * <ul>
 *   <li>{@code mean}, {@code variance}: rolling moments for Z-Score and CUSUM. The weight of a new
 *       value is {@code max(1/n, 1/window)}: exact (Welford) over the first {@code window} values,
 *       then exponentially weighted, so the baseline follows the series (West 1979; Finch 2009,
 *       "Incremental calculation of weighted mean and variance").
 *   <li>{@code q1}, {@code median}, {@code q3}, {@code mad}: rolling quantiles for IQR and MAD,
 *       seeded exactly from the warm-up values (one sort per key, once), then tracked by stochastic
 *       approximation, {@code q += g * (p - 1[x < q])} (Robbins and Monro 1951; Tierney 1983), with
 *       a step {@code g} proportional to the spread over the window. O(1) per value, nothing to
 *       sort or re-scan, and an outlier moves a quantile by at most one step.
 *   <li>{@code cusumUp}, {@code cusumDown}: the two CUSUM sums.
 *   <li>{@code pointQ99}, {@code pointQ999}, {@code scorePeak}, {@code scorePeakPrevious}, {@code
 *       scorePeakCount}: what the combined score is measured against (see {@link MetricDetector}).
 *   <li>{@code recentVerdicts}: whether each of the last 32 values was anomalous, newest in the
 *       lowest bit, for the alert policy's "k of the last n" (see {@link #recentAnomalous(int)}).
 *   <li>{@code season}: the daily cycle, for metrics watched with one ({@link SeasonalProfile});
 *       null otherwise.
 *   <li>{@code surprise}: how often the point detectors fire ({@link SurpriseRate}), for metrics
 *       watched so; null otherwise.
 *   <li>{@code seed}: the warm-up values, kept only until the warm-up ends.
 * </ul>
 */
public final class MetricState {
    public long count;
    public double mean;
    public double variance;
    public double q1;
    public double median;
    public double q3;
    public double mad;

    /** Rolling mean of |x| (unclipped): the series' level for the relative spread floor. */
    public double magnitude;

    public double cusumUp;
    public double cusumDown;

    /** Whether the previous value was a point anomaly (so this one would not be isolated). */
    public boolean lastAnomalous;

    /** Values since each CUSUM sum last left zero, to estimate the size of a shift. */
    public int cusumUpCount;

    public int cusumDownCount;

    /**
     * Rolling 99th and 99.9th percentiles of the point ratio (the largest point statistic over its
     * threshold), by stochastic approximation; they fit the tail the combined score reads.
     */
    public double pointQ99 = Q99_START;

    public double pointQ999 = Q999_START;

    /** Where the tail percentiles start, in multiples of the threshold. */
    public static final double Q99_START = 0.5;

    public static final double Q999_START = 1.0;

    /** The last 32 verdicts, newest in bit 0: 1 = at least one detector fired. */
    public int recentVerdicts;

    /** The daily cycle, when the metric is watched with one; null otherwise. */
    public SeasonalProfile season;

    /** How often the point detectors fire, when the metric is watched so; null otherwise. */
    public SurpriseRate surprise;

    /** The level before a shift CUSUM moved the baseline to, while it lasts; null otherwise. */
    public LevelShift shift;

    /** Largest combined score in the current half of the repeat window. */
    public double scorePeak;

    /** Largest combined score in the previous half of the repeat window. */
    public double scorePeakPrevious;

    /** Values in the current half of the repeat window. */
    public int scorePeakCount;

    /** Warm-up values until the quantiles are seeded; null afterwards. */
    public double[] seed;

    public int seedSize;

    /** Moves the level of the baseline (mean and quantiles) by {@code delta}; spreads stay. */
    public void shiftLevel(double delta) {
        mean += delta;
        q1 += delta;
        median += delta;
        q3 += delta;
    }

    public double stddev() {
        return Math.sqrt(Math.max(variance, 0));
    }

    /** How many of the last {@code n} values (at most 32) were anomalous. */
    public int recentAnomalous(int n) {
        int mask = n >= 32 ? -1 : (1 << n) - 1;
        return Integer.bitCount(recentVerdicts & mask);
    }

    public boolean quantilesReady() {
        return seed == null && count > 0;
    }

    /** Adds a value to the baseline (the detectors have judged it already). */
    public void learn(double y, double momentsValue, MetricSettings s) {
        count++;
        double alpha = count < s.window() ? 1.0 / count : 1.0 / s.window();
        double diff = momentsValue - mean;
        double increment = alpha * diff;
        mean += increment;
        variance = (1 - alpha) * (variance + diff * increment);
        magnitude += alpha * (Math.abs(y) - magnitude);

        if (count <= s.warmup()) {
            if (seed == null) {
                seed = new double[s.warmup()];
                seedSize = 0;
            }
            if (seedSize == seed.length) {
                seed = Arrays.copyOf(seed, Math.max(s.warmup(), seedSize + 1));
            }
            seed[seedSize++] = y;
            if (count == s.warmup()) {
                seedQuantiles();
            }
            return;
        }
        if (seed != null) { // warm-up changed in the configuration since this state was written
            seedQuantiles();
        }
        double scale = Math.max(Math.max(stddev(), (q3 - q1) / 1.349), s.spreadFloor(this));
        // Like the moments' weight: larger while the key is young, 1/window once it is not.
        double step = 2.5 * scale / Math.min(count, s.window());
        q1 += step * sa(y, q1, 0.25);
        median += step * sa(y, median, 0.5);
        q3 += step * sa(y, q3, 0.75);
        if (q1 > median) {
            q1 = median;
        }
        if (q3 < median) {
            q3 = median;
        }
        mad += step * sa(Math.abs(y - median), mad, 0.5);
        if (mad < 0) {
            mad = 0;
        }
    }

    /**
     * The stochastic-approximation direction for the p-quantile q after seeing y: up by p when y is
     * above q, down by 1 - p when below, and no move when y is exactly q (so a constant series
     * keeps its quantiles where they are instead of drifting).
     */
    private static double sa(double y, double q, double p) {
        return y > q ? p : y < q ? p - 1 : 0;
    }

    private void seedQuantiles() {
        double[] v = Arrays.copyOf(seed, seedSize);
        Arrays.sort(v);
        q1 = quantile(v, 0.25);
        median = quantile(v, 0.5);
        q3 = quantile(v, 0.75);
        double[] dev = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            dev[i] = Math.abs(v[i] - median);
        }
        Arrays.sort(dev);
        mad = quantile(dev, 0.5);
        seed = null;
        seedSize = 0;
    }

    /** Linear interpolation between closest ranks (type 7, the default of R and NumPy). */
    static double quantile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    public MetricState copy() {
        MetricState c = new MetricState();
        c.count = count;
        c.mean = mean;
        c.variance = variance;
        c.q1 = q1;
        c.median = median;
        c.q3 = q3;
        c.mad = mad;
        c.magnitude = magnitude;
        c.cusumUp = cusumUp;
        c.cusumDown = cusumDown;
        c.lastAnomalous = lastAnomalous;
        c.cusumUpCount = cusumUpCount;
        c.cusumDownCount = cusumDownCount;
        c.pointQ99 = pointQ99;
        c.pointQ999 = pointQ999;
        c.recentVerdicts = recentVerdicts;
        c.season = season == null ? null : season.copy();
        c.surprise = surprise == null ? null : surprise.copy();
        c.shift = shift == null ? null : shift.copy();
        c.scorePeak = scorePeak;
        c.scorePeakPrevious = scorePeakPrevious;
        c.scorePeakCount = scorePeakCount;
        c.seed = seed == null ? null : seed.clone();
        c.seedSize = seedSize;
        return c;
    }
}

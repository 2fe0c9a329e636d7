package io.llmsentinel.functions.detect;

import java.io.Serializable;

/**
 * Z-Score: the standardized distance {@code z = (x - mean) / max(stddev, floor)} of a value from a
 * rolling mean and standard deviation ({@link RollingMoments}); the value is anomalous when {@code
 * z >= threshold} in the watched direction (default threshold 3, the "three-sigma rule",
 * NIST/SEMATECH e-Handbook of Statistical Methods, 6.3.2).
 *
 * <p>The value is judged against the baseline before it joins it. A value judged anomalous joins
 * clipped to the threshold boundary, so a spike cannot drag the baseline while a lasting shift is
 * still learned within a few windows.
 */
public final class ZScoreDetector implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "zscore";

    private final double threshold;
    private final int warmup;
    private final int window;
    private final SpreadFloor floor;
    private final Direction direction;
    private final boolean clipAnomalies;

    public ZScoreDetector(
            double threshold,
            int warmup,
            int window,
            SpreadFloor floor,
            Direction direction,
            boolean clipAnomalies) {
        if (!(threshold > 0) || warmup < 2 || window < 2) {
            throw new IllegalArgumentException(
                    "z-score needs threshold > 0, warmup >= 2 and window >= 2");
        }
        this.threshold = threshold;
        this.warmup = warmup;
        this.window = window;
        this.floor = floor;
        this.direction = direction;
        this.clipAnomalies = clipAnomalies;
    }

    /** Judges {@code x} against the baseline, then adds it to the baseline. */
    public Verdict observe(RollingMoments baseline, double x) {
        Verdict v = judge(baseline, x);
        learn(baseline, x, v);
        return v;
    }

    /** NaN and infinite values are not judged and never reach the baseline. */
    public Verdict judge(RollingMoments baseline, double x) {
        if (!Double.isFinite(x) || baseline.count < warmup) {
            return Verdict.NOT_READY;
        }
        double sigma = floor.apply(baseline.stddev(), baseline.mean);
        double z = (x - baseline.mean) / sigma;
        double relevant = direction.relevant(z);
        // A value exactly at the threshold fires; the epsilon absorbs rounding in the moments.
        boolean fired = relevant >= threshold * (1 - 1e-12);
        return new Verdict(
                NAME,
                fired,
                Verdict.score(relevant, threshold),
                relevant,
                threshold,
                z >= 0 ? 1 : -1);
    }

    /** Adds {@code x} to the baseline; an anomalous value joins clipped to the threshold. */
    public void learn(RollingMoments baseline, double x, Verdict v) {
        if (!Double.isFinite(x)) {
            return;
        }
        if (v.fired() && clipAnomalies) {
            double sigma = floor.apply(baseline.stddev(), baseline.mean);
            x = baseline.mean + v.sign() * threshold * sigma;
        }
        baseline.add(x, window);
    }

    public double threshold() {
        return threshold;
    }
}

package io.llmsentinel.functions.detect;

/**
 * One detector's judgement of one value: whether it fired, a score in [0, 1) (0.5 at the threshold,
 * 0.75 at twice it), the statistic compared with the threshold, and the side of the baseline the
 * value lies on (+1 above, -1 below).
 */
public record Verdict(
        DetectorKind detector,
        boolean fired,
        double score,
        double statistic,
        double threshold,
        int sign,
        Severity severityOf) {

    public Verdict(
            DetectorKind detector,
            boolean fired,
            double score,
            double statistic,
            double threshold,
            int sign) {
        this(detector, fired, score, statistic, threshold, sign, null);
    }

    /** The same verdict with a severity given by the size of a change, not the statistic. */
    Verdict withSeverity(Severity s) {
        return new Verdict(detector, fired, score, statistic, threshold, sign, s);
    }

    /** A statistic exactly at the threshold fires; the epsilon absorbs floating-point rounding. */
    static final double AT_THRESHOLD = 1 - 1e-12;

    static Verdict of(DetectorKind kind, double statistic, double threshold, int sign) {
        boolean fired = statistic >= threshold * AT_THRESHOLD;
        return new Verdict(kind, fired, score(statistic, threshold), statistic, threshold, sign);
    }

    /**
     * Maps {@code r = statistic/threshold} to [0, 1) as {@code r / (1 + r)}: 0.5 at the threshold,
     * 2/3 at twice it, 0.99 at a hundred times; strictly increasing, so however extreme two values
     * are, the larger keeps the larger score.
     */
    public static double score(double statistic, double threshold) {
        if (!(statistic > 0)) {
            return 0;
        }
        if (Double.isInfinite(statistic)) {
            return 1;
        }
        double r = statistic / threshold;
        return r / (1 + r);
    }

    /**
     * How far past its threshold the statistic went, as a severity; for a level shift on a log
     * scale, how large the shift is ({@link Severity#fromFactor}).
     */
    public Severity severity() {
        return severityOf != null ? severityOf : Severity.fromRatio(statistic / threshold);
    }
}

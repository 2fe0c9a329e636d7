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
        int sign) {

    /** A statistic exactly at the threshold fires; the epsilon absorbs floating-point rounding. */
    static final double AT_THRESHOLD = 1 - 1e-12;

    static Verdict of(DetectorKind kind, double statistic, double threshold, int sign) {
        boolean fired = statistic >= threshold * AT_THRESHOLD;
        return new Verdict(kind, fired, score(statistic, threshold), statistic, threshold, sign);
    }

    /** Maps statistic/threshold to [0, 1): 0 at or below 0, 0.5 at the threshold. */
    public static double score(double statistic, double threshold) {
        if (!(statistic > 0)) {
            return 0;
        }
        if (Double.isInfinite(statistic)) {
            return 1;
        }
        return 1 - Math.pow(0.5, statistic / threshold);
    }

    /** How far past its threshold the statistic went, as a severity. */
    public Severity severity() {
        return Severity.fromRatio(statistic / threshold);
    }
}

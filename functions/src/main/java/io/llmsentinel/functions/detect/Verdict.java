package io.llmsentinel.functions.detect;

/**
 * One detector's judgement of one value: whether it fired, a score in [0, 1] (0.5 at the threshold,
 * approaching 1 far beyond it), the statistic that was compared with the threshold, and the sign of
 * the deviation (+1 above the baseline, -1 below).
 */
public record Verdict(
        String detector,
        boolean fired,
        double score,
        double statistic,
        double threshold,
        int sign) {

    public static final Verdict NOT_READY =
            new Verdict("none", false, 0, Double.NaN, Double.NaN, 0);

    /** Maps statistic/threshold to [0, 1): 0.5 at the threshold, 0.75 at twice it. */
    public static double score(double statistic, double threshold) {
        if (!(statistic > 0) || !(threshold > 0)) {
            return 0;
        }
        return 1 - Math.pow(0.5, statistic / threshold);
    }

    public Severity severity() {
        return Severity.fromRatio(statistic / threshold);
    }
}

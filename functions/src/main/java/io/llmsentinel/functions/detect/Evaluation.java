package io.llmsentinel.functions.detect;

/**
 * The result for one value of one metric: the combined score and, when any detector fired, the
 * detectors that fired, the severity, the anomaly type, the baseline it was judged against (in the
 * metric's own unit) and the metric's recent verdicts including this one (bit 0).
 *
 * <p>The combined score is the largest detector score: each detector's score already says how far
 * past its own threshold the value went, and taking the largest lets no detector silence another.
 */
public record Evaluation(
        double score,
        Verdict[] fired,
        Severity severity,
        String anomalyType,
        double baselineMean,
        double baselineStddev,
        double baselineMedian,
        double baselineMad,
        double baselineQ1,
        double baselineQ3,
        long baselineSamples,
        int recentVerdicts) {

    static final Evaluation NOT_JUDGED = normal(0);

    /** A value judged and found normal: its score, nothing fired. */
    static Evaluation normal(double score) {
        return new Evaluation(
                score,
                new Verdict[0],
                null,
                null,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                0,
                0);
    }

    public boolean anomalous() {
        return fired.length > 0;
    }
}

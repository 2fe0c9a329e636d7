package io.llmsentinel.functions.detect;

/**
 * How often a key's values surprise its detectors, against how often they usually do: a series
 * whose ordinary spikes become more frequent, or whose level keeps drifting so that CUSUM keeps
 * firing the same way, is anomalous even when each value, judged alone, is as usual as ever (a
 * retry storm, a flapping backend, a slow leak).
 *
 * <p>A value is a surprise when any detector fired on it. {@code usual} is the share of surprises
 * over the baseline's horizon (at least one in that horizon). The evidence that the share has risen
 * to {@link #RISE} times the usual one is Page's CUSUM of the log-likelihood ratio of the two
 * Bernoulli rates, {@code S = max(0, S + ln(p1/p0))} on a surprise and {@code S = max(0, S +
 * ln((1-p1)/(1-p0)))} otherwise (Page 1954; Reynolds and Stoumbos 1999, "A CUSUM chart for
 * monitoring a proportion"). S is a log-likelihood ratio, so its rarity under the usual rate is
 * about {@code S / ln 10} decades (Wald: the false-alarm run length at a level h is at least {@code
 * e^h}); the combined score reads it like the point detectors' rarity. At {@link #DECISION_DECADES}
 * it is reported once and starts again from zero. Three numbers of state and nothing to tune but
 * the rise it looks for.
 */
public final class SurpriseRate {
    /** The rise of the surprise share the test looks for. */
    static final double RISE = 4.0;

    /** Decades of evidence at which the rise is reported and the test starts again. */
    static final double DECISION_DECADES = 6.0;

    /** The log-likelihood ratio so far (natural log). */
    public double evidence;

    public double usual;
    public long count;

    /**
     * The decades of evidence once {@code surprise} joins it (0 until the usual share has seen
     * {@code window / 10} values); {@link #DECISION_DECADES} or more means the rise is reported.
     */
    double judge(boolean surprise, int window) {
        if (count < window / 10) {
            return 0;
        }
        return next(surprise, window) / Math.log(10);
    }

    private double next(boolean surprise, int window) {
        double p0 = Math.min(0.5, Math.max(usual, 1.0 / window));
        double p1 = Math.min(0.99, RISE * p0);
        double llr = surprise ? Math.log(p1 / p0) : Math.log((1 - p1) / (1 - p0));
        return Math.max(0, evidence + llr);
    }

    void learn(boolean surprise, int window) {
        if (count >= window / 10) {
            evidence = next(surprise, window);
            if (evidence / Math.log(10) >= DECISION_DECADES) {
                evidence = 0;
            }
        }
        count++;
        usual += ((surprise ? 1 : 0) - usual) / Math.min(count, window);
    }

    public SurpriseRate copy() {
        SurpriseRate c = new SurpriseRate();
        c.evidence = evidence;
        c.usual = usual;
        c.count = count;
        return c;
    }
}

package io.llmsentinel.functions.detect;

/**
 * How often a key's values surprise the point detectors, recently and usually: a series whose
 * ordinary spikes become more frequent is anomalous even when each spike, judged alone, is as usual
 * as ever (a retry storm, a flapping backend).
 *
 * <p>A value is a surprise when a point detector (Z-Score, IQR, MAD) fired on it. {@code recent} is
 * the share of surprises over the last {@link #HORIZON} values (exponentially weighted), {@code
 * usual} the share over the baseline's horizon. The recent share is judged against the usual one as
 * a binomial proportion, {@code z = (recent - usual) / sqrt(usual (1 - usual) / (2 HORIZON - 1))}
 * (the spread of an exponentially weighted mean of {@code HORIZON} Bernoulli values), upward only;
 * the usual share is at least one in the baseline's horizon, so a key that never surprised needs
 * several surprises close together, not one. Its rarity is the normal tail of z, which the combined
 * score reads like the point detectors' rarity. Nothing to tune beyond the horizon; three numbers
 * of state.
 */
public final class SurpriseRate {
    /** Values over which the recent share is measured. */
    static final int HORIZON = 100;

    public double recent;
    public double usual;
    public long count;

    /**
     * The z of the recent share of surprises once {@code surprise} (whether the point detectors
     * fired on this value) joins it, against the usual share before it does; 0 until the recent
     * share has seen {@link #HORIZON} values.
     */
    double judge(boolean surprise, int window) {
        if (count < HORIZON) {
            return 0;
        }
        double next = recent + ((surprise ? 1 : 0) - recent) / HORIZON;
        double p = Math.max(usual, 1.0 / window);
        return (next - p) / Math.sqrt(p * (1 - p) / (2.0 * HORIZON - 1));
    }

    void learn(boolean surprise, int window) {
        count++;
        double x = surprise ? 1 : 0;
        recent += (x - recent) / Math.min(count, HORIZON);
        usual += (x - usual) / Math.min(count, window);
    }

    /** {@code -log10 P(Z >= z)} of a standard normal z (0 for z <= 0). */
    static double decades(double z) {
        if (!(z > 0)) {
            return 0;
        }
        // Mills-ratio bound for the tail, within a few percent from z = 1 on, exact enough here.
        double tail =
                z < 1
                        ? 0.5 * (1 - z * 0.7978845608 * (1 - z * z / 6))
                        : Math.exp(-z * z / 2) / (z * 2.5066282746) * (1 - 1 / (z * z + 2));
        return -Math.log10(Math.max(tail, 1e-300));
    }

    public SurpriseRate copy() {
        SurpriseRate c = new SurpriseRate();
        c.recent = recent;
        c.usual = usual;
        c.count = count;
        return c;
    }
}

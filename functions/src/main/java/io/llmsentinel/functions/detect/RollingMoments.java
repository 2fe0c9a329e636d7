package io.llmsentinel.functions.detect;

/**
 * Mean and variance of a series over a bounded horizon, in O(1) time and three numbers of state.
 *
 * <p>The weight of a new value is {@code max(1/n, 1/window)}: exact (Welford) mean and population
 * variance over the first {@code window} values, then exponentially weighted with the same weight,
 * so the baseline follows the series and old values fade with a time constant of {@code window}
 * samples (West 1979; Finch 2009, "Incremental calculation of weighted mean and variance").
 */
public final class RollingMoments {
    public long count;
    public double mean;
    public double variance;

    public void add(double x, int window) {
        count++;
        double alpha = count < window ? 1.0 / count : 1.0 / window;
        double diff = x - mean;
        double increment = alpha * diff;
        mean += increment;
        variance = (1 - alpha) * (variance + diff * increment);
    }

    public double stddev() {
        return Math.sqrt(Math.max(variance, 0));
    }

    public RollingMoments copy() {
        RollingMoments m = new RollingMoments();
        m.count = count;
        m.mean = mean;
        m.variance = variance;
        return m;
    }
}

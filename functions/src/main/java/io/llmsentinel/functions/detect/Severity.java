package io.llmsentinel.functions.detect;

/**
 * How far past its threshold a detector's statistic went: under 1.5 times the threshold is low,
 * under 2 medium, under 3 high, beyond that critical.
 */
public enum Severity {
    LOW,
    MEDIUM,
    HIGH,
    CRITICAL;

    public static Severity fromRatio(double statisticOverThreshold) {
        if (statisticOverThreshold >= 3.0) {
            return CRITICAL;
        }
        if (statisticOverThreshold >= 2.0) {
            return HIGH;
        }
        if (statisticOverThreshold >= 1.5) {
            return MEDIUM;
        }
        return LOW;
    }

    /**
     * The severity of a change of a right-skewed metric's level by {@code factor} (either way):
     * under 1.5x low, under 2x medium, under 3x high, beyond that critical. For latencies, tokens
     * and costs the size of a lasting change is what matters to a person, whatever the noise of
     * single requests.
     */
    public static Severity fromFactor(double factor) {
        double f = factor >= 1 ? factor : 1 / Math.max(factor, 1e-9);
        if (f >= 3.0) {
            return CRITICAL;
        }
        if (f >= 2.0) {
            return HIGH;
        }
        if (f >= 1.5) {
            return MEDIUM;
        }
        return LOW;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Severity parse(String s) {
        return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
    }
}

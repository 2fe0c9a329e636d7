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

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Severity parse(String s) {
        return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
    }
}

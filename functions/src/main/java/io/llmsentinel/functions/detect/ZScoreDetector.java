package io.llmsentinel.functions.detect;

/**
 * Z-Score: the standardized distance of a value from the rolling mean,
 *
 * <pre>z = (x - mean) / max(stddev, floor)</pre>
 *
 * anomalous when {@code z >= threshold} in the watched direction (default 3: the three-sigma rule,
 * NIST/SEMATECH e-Handbook of Statistical Methods, section 6.3.2). Mean and standard deviation are
 * the rolling moments of {@link MetricState}.
 */
public final class ZScoreDetector implements Detector {
    public static final ZScoreDetector INSTANCE = new ZScoreDetector();

    @Override
    public DetectorKind kind() {
        return DetectorKind.ZSCORE;
    }

    @Override
    public boolean ready(MetricState s, MetricSettings m) {
        return s.count >= m.warmup();
    }

    @Override
    public Verdict judge(MetricState s, double y, MetricSettings m) {
        double sigma = Math.max(s.stddev(), m.spreadFloor(s));
        double z = (y - s.mean) / sigma;
        return Verdict.of(kind(), m.direction().relevant(z), m.zThreshold(), z >= 0 ? 1 : -1);
    }
}

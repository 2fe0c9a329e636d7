package io.llmsentinel.functions.detect;

/**
 * IQR (Tukey's fences): anomalous outside {@code [Q1 - k*IQR, Q3 + k*IQR]} with {@code IQR = Q3 -
 * Q1} and, by default, {@code k = 1.5} (Tukey 1977, "Exploratory Data Analysis"). The statistic is
 * the distance beyond the near quartile in IQRs, {@code (x - Q3) / IQR} above or {@code (Q1 - x) /
 * IQR} below, so it fires at {@code k}. Quartiles are the rolling ones of {@link MetricState}; the
 * IQR is at least the spread floor times 1.349 (the IQR of a normal distribution of that standard
 * deviation).
 */
public final class IqrDetector implements Detector {
    public static final IqrDetector INSTANCE = new IqrDetector();

    @Override
    public DetectorKind kind() {
        return DetectorKind.IQR;
    }

    @Override
    public boolean ready(MetricState s, MetricSettings m) {
        return s.count >= m.warmup() && s.quantilesReady();
    }

    @Override
    public Verdict judge(MetricState s, double y, MetricSettings m) {
        double iqr = Math.max(s.q3 - s.q1, 1.349 * m.robustSpreadFloor(s));
        double above = (y - s.q3) / iqr;
        double below = (s.q1 - y) / iqr;
        double relevant;
        int sign;
        switch (m.direction()) {
            case UP -> {
                relevant = above;
                sign = 1;
            }
            case DOWN -> {
                relevant = below;
                sign = -1;
            }
            default -> {
                relevant = Math.max(above, below);
                sign = above >= below ? 1 : -1;
            }
        }
        return Verdict.of(kind(), relevant, m.iqrK(), sign);
    }
}

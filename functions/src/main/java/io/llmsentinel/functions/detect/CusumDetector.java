package io.llmsentinel.functions.detect;

/**
 * CUSUM: Page's two-sided cumulative sum (Page 1954, "Continuous inspection schemes"; Montgomery,
 * "Introduction to Statistical Quality Control", section 9.1) on standardized values {@code u = (x
 * - mean) / max(stddev, floor)}:
 *
 * <pre>
 *   S+ = max(0, S+ + u - k)      S- = max(0, S- - u - k)
 * </pre>
 *
 * with slack {@code k = 0.5} and decision interval {@code h = 5} (in standard deviations, so the
 * same settings work for milliseconds and dollars). It fires when a sum reaches {@code h}, reports
 * the direction, and both sums restart from zero. It finds level shifts and slow drifts that no
 * single value gives away. Each {@code u} is clipped to the Z-Score threshold so one outlier, which
 * Z-Score reports, cannot fire CUSUM on its own.
 */
public final class CusumDetector implements Detector {
    public static final CusumDetector INSTANCE = new CusumDetector();

    @Override
    public DetectorKind kind() {
        return DetectorKind.CUSUM;
    }

    @Override
    public boolean ready(MetricState s, MetricSettings m) {
        return s.count >= m.warmup();
    }

    @Override
    public Verdict judge(MetricState s, double y, MetricSettings m) {
        double up = nextUp(s, y, m);
        double down = nextDown(s, y, m);
        return switch (m.direction()) {
            case UP -> Verdict.of(kind(), up, m.cusumDecision(), 1);
            case DOWN -> Verdict.of(kind(), down, m.cusumDecision(), -1);
            case BOTH ->
                    up >= down
                            ? Verdict.of(kind(), up, m.cusumDecision(), 1)
                            : Verdict.of(kind(), down, m.cusumDecision(), -1);
        };
    }

    /** Moves the sums on by {@code y}; after a detection both start again from zero. */
    static void accumulate(MetricState s, double y, MetricSettings m, boolean fired) {
        if (fired) {
            s.cusumUp = 0;
            s.cusumDown = 0;
        } else {
            double up = nextUp(s, y, m);
            double down = nextDown(s, y, m);
            s.cusumUp = m.direction() == Direction.DOWN ? 0 : up;
            s.cusumDown = m.direction() == Direction.UP ? 0 : down;
        }
    }

    private static double standardized(MetricState s, double y, MetricSettings m) {
        double sigma = Math.max(s.stddev(), m.spreadFloor(s.mean));
        double u = (y - s.mean) / sigma;
        return Math.max(-m.zThreshold(), Math.min(m.zThreshold(), u));
    }

    private static double nextUp(MetricState s, double y, MetricSettings m) {
        return Math.max(0, s.cusumUp + standardized(s, y, m) - m.cusumSlack());
    }

    private static double nextDown(MetricState s, double y, MetricSettings m) {
        return Math.max(0, s.cusumDown - standardized(s, y, m) - m.cusumSlack());
    }
}

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
 * Z-Score reports, cannot fire CUSUM on its own; on a log scale (the right-skewed per-request
 * metrics, whose tails are heavy: about 1 request in 1,000 at 20-100x the median) to {@link
 * #LOG_CLIP}, so that it takes four extreme values in a row, not two, to fire, while a lasting
 * shift of two or more standard deviations still fires within four values. There, a detection's
 * severity is the size of the estimated shift as a factor ({@link Severity#fromFactor}): a latency
 * that doubled is high, however noisy single requests are.
 */
public final class CusumDetector implements Detector {
    public static final CusumDetector INSTANCE = new CusumDetector();

    /** The bound on a standardized value on a log scale, in standard deviations. */
    static final double LOG_CLIP = 2.0;

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
        Verdict v =
                switch (m.direction()) {
                    case UP -> Verdict.of(kind(), up, m.cusumDecision(), 1);
                    case DOWN -> Verdict.of(kind(), down, m.cusumDecision(), -1);
                    case BOTH ->
                            up >= down
                                    ? Verdict.of(kind(), up, m.cusumDecision(), 1)
                                    : Verdict.of(kind(), down, m.cusumDecision(), -1);
                };
        if (v.fired() && m.logScale()) {
            double shift = estimatedShift(s, m, v.sign() > 0, up, down);
            v = v.withSeverity(Severity.fromFactor(Math.exp(Math.abs(shift))));
        }
        return v;
    }

    /**
     * The shift the sums say happened, on the detectors' scale: {@code sigma * (k + S / N)}
     * (Montgomery, section 9.1.2), N the values since the sum left zero.
     */
    private static double estimatedShift(
            MetricState s, MetricSettings m, boolean wentUp, double up, double down) {
        double sigma = Math.max(s.stddev(), m.spreadFloor(s));
        int upCount = up > 0 ? s.cusumUpCount + 1 : 0;
        int downCount = down > 0 ? s.cusumDownCount + 1 : 0;
        return wentUp
                ? sigma * (m.cusumSlack() + up / Math.max(1, upCount))
                : -sigma * (m.cusumSlack() + down / Math.max(1, downCount));
    }

    /**
     * Moves the sums on by {@code y}. After a detection both start again from zero and the baseline
     * moves to the new level, estimated as {@code mean + sigma * (k + S / N)} with N the values
     * since the sum last left zero (Montgomery, section 9.1.2): a lasting shift is then learned at
     * once instead of raising alarms until the rolling baseline catches up. Only where the metric's
     * settings ask for it ({@link MetricSettings#cusumRelevel()}): otherwise the sums restart and
     * the baseline follows over its horizon.
     */
    static double accumulate(MetricState s, double y, MetricSettings m, boolean fired) {
        double up = nextUp(s, y, m);
        double down = nextDown(s, y, m);
        int upCount = up > 0 ? s.cusumUpCount + 1 : 0;
        int downCount = down > 0 ? s.cusumDownCount + 1 : 0;
        double shift = 0;
        if (fired && m.cusumRelevel()) {
            boolean wentUp =
                    m.direction() == Direction.UP
                            || (m.direction() == Direction.BOTH && up >= down);
            shift = estimatedShift(s, m, wentUp, up, down);
            s.shiftLevel(shift);
        }
        if (fired) {
            up = 0;
            down = 0;
            upCount = 0;
            downCount = 0;
        }
        s.cusumUp = m.direction() == Direction.DOWN ? 0 : up;
        s.cusumDown = m.direction() == Direction.UP ? 0 : down;
        s.cusumUpCount = m.direction() == Direction.DOWN ? 0 : upCount;
        s.cusumDownCount = m.direction() == Direction.UP ? 0 : downCount;
        return shift;
    }

    private static double standardized(MetricState s, double y, MetricSettings m) {
        double sigma = Math.max(s.stddev(), m.spreadFloor(s));
        double u = (y - s.mean) / sigma;
        double clip = m.logScale() ? Math.min(LOG_CLIP, m.zThreshold()) : m.zThreshold();
        return Math.max(-clip, Math.min(clip, u));
    }

    private static double nextUp(MetricState s, double y, MetricSettings m) {
        return Math.max(0, s.cusumUp + standardized(s, y, m) - m.cusumSlack());
    }

    private static double nextDown(MetricState s, double y, MetricSettings m) {
        return Math.max(0, s.cusumDown - standardized(s, y, m) - m.cusumSlack());
    }
}

package io.llmsentinel.functions.detect;

/**
 * MAD: the modified z-score of Iglewicz and Hoaglin (1993, "How to Detect and Handle Outliers"),
 *
 * <pre>M = 0.6745 * (x - median) / MAD</pre>
 *
 * with {@code MAD} the median absolute deviation from the median; anomalous when {@code M >= 3.5}
 * (their recommended threshold). Robust: neither the median nor the MAD is moved much by the
 * outliers it looks for. The MAD is at least the spread floor times 0.6745 (the MAD of a normal
 * distribution of that standard deviation).
 */
public final class MadDetector implements Detector {
    public static final MadDetector INSTANCE = new MadDetector();

    @Override
    public DetectorKind kind() {
        return DetectorKind.MAD;
    }

    @Override
    public boolean ready(MetricState s, MetricSettings m) {
        return s.count >= m.warmup() && s.quantilesReady();
    }

    @Override
    public Verdict judge(MetricState s, double y, MetricSettings m) {
        double mad = Math.max(s.mad, 0.6745 * m.robustSpreadFloor(s));
        double modifiedZ = 0.6745 * (y - s.median) / mad;
        return Verdict.of(
                kind(),
                m.direction().relevant(modifiedZ),
                m.madThreshold(),
                modifiedZ >= 0 ? 1 : -1);
    }
}

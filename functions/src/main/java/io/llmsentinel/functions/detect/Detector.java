package io.llmsentinel.functions.detect;

/**
 * A detector judges a value against a metric's learned state without changing it; {@link
 * MetricDetector} learns afterwards. Implementations are stateless.
 */
public interface Detector {
    DetectorKind kind();

    /** Whether the state has what this detector needs (warm-up over). */
    boolean ready(MetricState state, MetricSettings settings);

    /** Judges {@code y} (on the detectors' scale) against {@code state}. */
    Verdict judge(MetricState state, double y, MetricSettings settings);
}

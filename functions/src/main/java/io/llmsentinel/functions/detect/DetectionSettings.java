package io.llmsentinel.functions.detect;

import java.io.Serializable;
import java.util.List;

/**
 * What the detection function needs from the configuration: the watched metrics and the Z-Score
 * parameters. Plain and serializable so the job builds it from {@code sentinel.yaml} and tests
 * build it by hand.
 */
public record DetectionSettings(
        List<Metric> metrics,
        double zThreshold,
        int warmup,
        int window,
        double relativeSpreadFloor,
        boolean clipAnomalies,
        long stateTtlMs)
        implements Serializable {

    public static DetectionSettings defaults() {
        return new DetectionSettings(
                List.of(Metric.LATENCY_MS, Metric.TTFT_MS, Metric.TOTAL_TOKENS, Metric.COST_USD),
                3.0,
                30,
                500,
                0.05,
                true,
                7L * 24 * 3600 * 1000);
    }

    public DetectionSettings withWarmup(int newWarmup) {
        return new DetectionSettings(
                metrics,
                zThreshold,
                newWarmup,
                window,
                relativeSpreadFloor,
                clipAnomalies,
                stateTtlMs);
    }
}

package io.llmsentinel.functions.detect;

import io.llmsentinel.functions.model.LlmRequest;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The values watched per request, each with the anomaly type a deviation up or down means. */
public enum Metric {
    LATENCY_MS(r -> r.latencyMs, "latency_spike", "latency_drop", 5.0),
    TTFT_MS(r -> r.ttftMs, "ttft_spike", "ttft_drop", 5.0),
    INPUT_TOKENS(r -> r.inputTokens, "token_usage_spike", "token_usage_drop", 1.0),
    OUTPUT_TOKENS(r -> r.outputTokens, "token_usage_spike", "token_usage_drop", 1.0),
    TOTAL_TOKENS(LlmRequest::totalTokens, "token_usage_spike", "token_usage_drop", 1.0),
    COST_USD(r -> r.costUsd, "cost_anomaly", "cost_anomaly", 1e-6),
    OUTPUT_TOKENS_PER_SECOND(
            LlmRequest::outputTokensPerSecond, "throughput_spike", "throughput_drop", 0.5);

    private final ToDoubleFunction<LlmRequest> extractor;
    private final String typeUp;
    private final String typeDown;
    private final double defaultAbsoluteFloor;

    Metric(
            ToDoubleFunction<LlmRequest> extractor,
            String typeUp,
            String typeDown,
            double defaultAbsoluteFloor) {
        this.extractor = extractor;
        this.typeUp = typeUp;
        this.typeDown = typeDown;
        this.defaultAbsoluteFloor = defaultAbsoluteFloor;
    }

    /** The smallest spread worth telling apart from noise, in the metric's unit. */
    public double defaultAbsoluteFloor() {
        return defaultAbsoluteFloor;
    }

    /** The value of this metric in a request, NaN when the request does not carry it. */
    public double valueOf(LlmRequest r) {
        return extractor.applyAsDouble(r);
    }

    public String anomalyType(int sign) {
        return sign >= 0 ? typeUp : typeDown;
    }

    /** The snake_case name used in configuration, anomalies and metrics. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Metric fromCode(String code) {
        try {
            return valueOf(code.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown metric '"
                            + code
                            + "'; known: "
                            + java.util.Arrays.stream(values()).map(Metric::code).toList());
        }
    }
}

package io.llmsentinel.functions.detect;

import io.llmsentinel.functions.model.LlmRequest;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The values watched per request, each with the anomaly type a deviation up or down means. */
public enum Metric {
    LATENCY_MS(r -> r.latencyMs, "latency_spike", "latency_drop", 1.0, Direction.UP, true),
    TTFT_MS(r -> r.ttftMs, "ttft_spike", "ttft_drop", 1.0, Direction.UP, true),
    INPUT_TOKENS(
            r -> r.inputTokens, "token_usage_spike", "token_usage_drop", 1.0, Direction.UP, true),
    OUTPUT_TOKENS(
            r -> r.outputTokens, "token_usage_spike", "token_usage_drop", 1.0, Direction.UP, true),
    TOTAL_TOKENS(
            LlmRequest::totalTokens,
            "token_usage_spike",
            "token_usage_drop",
            1.0,
            Direction.UP,
            true),
    COST_USD(r -> r.costUsd, "cost_anomaly", "cost_anomaly", 1e-6, Direction.UP, true),
    OUTPUT_TOKENS_PER_SECOND(
            LlmRequest::outputTokensPerSecond,
            "throughput_spike",
            "throughput_drop",
            0.1,
            Direction.DOWN,
            true),
    /** Requests per minute in an event-time window. */
    REQUEST_RATE(null, "throughput_spike", "throughput_drop", 1.0, Direction.BOTH, false),
    /** Failed requests / requests in a window (only with enough requests in it). */
    ERROR_RATE(null, "error_rate_increase", "error_rate_decrease", 0.01, Direction.UP, false),
    /** USD per minute in a window. */
    COST_PER_MINUTE(null, "cost_anomaly", "cost_anomaly", 1e-4, Direction.UP, false),
    /** Tokens (input plus output) per minute in a window, from spans or metrics. */
    TOKEN_RATE(null, "token_usage_spike", "token_usage_drop", 1.0, Direction.UP, false),
    /** The 95th percentile of call durations in a window, from OTLP duration histograms. */
    LATENCY_P95(null, "latency_spike", "latency_drop", 1.0, Direction.UP, false),
    /**
     * Responses cut at the token limit (finish reason {@code length}) / responses with a reason.
     */
    TRUNCATION_RATE(null, "truncation_increase", "truncation_decrease", 0.02, Direction.UP, false),
    /** Responses stopped by a content filter or refused / responses with a reason. */
    CONTENT_FILTER_RATE(
            null, "content_filter_increase", "content_filter_decrease", 0.02, Direction.UP, false),
    /** Calls refused for the provider's rate limit (HTTP 429) / calls; apart from error_rate. */
    RATE_LIMITED_RATE(null, "rate_limited", "rate_limit_eased", 0.02, Direction.UP, false),
    /** Failed tool executions / tool executions (a service's execute_tool key). */
    TOOL_ERROR_RATE(
            null,
            "tool_error_rate_increase",
            "tool_error_rate_decrease",
            0.02,
            Direction.UP,
            false),
    /** Cached input tokens / input tokens (prompt caching): a drop is a silent cost increase. */
    CACHE_HIT_RATIO(null, "cache_hit_increase", "cache_hit_drop", 0.02, Direction.DOWN, false);

    private final ToDoubleFunction<LlmRequest> extractor;
    private final String typeUp;
    private final String typeDown;
    private final double unit;
    private final Direction defaultDirection;
    private final boolean defaultLogScale;
    private final String code = name().toLowerCase(Locale.ROOT);

    Metric(
            ToDoubleFunction<LlmRequest> extractor,
            String typeUp,
            String typeDown,
            double unit,
            Direction defaultDirection,
            boolean defaultLogScale) {
        this.extractor = extractor;
        this.typeUp = typeUp;
        this.typeDown = typeDown;
        this.unit = unit;
        this.defaultDirection = defaultDirection;
        this.defaultLogScale = defaultLogScale;
    }

    /** Per request (true) or per event-time window (false). */
    public boolean perRequest() {
        return extractor != null;
    }

    /** The smallest amount of this metric worth telling apart (1 ms, 1 token, 1e-6 USD...). */
    public double unit() {
        return unit;
    }

    public Direction defaultDirection() {
        return defaultDirection;
    }

    /**
     * Windowed metrics (request rate, error rate, cost per minute) follow the day's traffic, so
     * they are judged against their time of day by default; per-request values are not.
     */
    public boolean defaultSeasonal() {
        return !perRequest() && !ratioOfOutcomes();
    }

    /**
     * The LLM-specific shares (truncation, content filter, rate limits, tool errors, cache hits): a
     * share of outcomes rather than traffic, with no daily cycle to speak of (and none kept: its
     * profile would cost about 1.6 KB per key for nothing).
     */
    public boolean ratioOfOutcomes() {
        return switch (this) {
            case TRUNCATION_RATE,
                    CONTENT_FILTER_RATE,
                    RATE_LIMITED_RATE,
                    TOOL_ERROR_RATE,
                    CACHE_HIT_RATIO ->
                    true;
            default -> false;
        };
    }

    /** Right-skewed per-request metrics are judged on a log scale by default. */
    public boolean defaultLogScale() {
        return defaultLogScale;
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
        return code;
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

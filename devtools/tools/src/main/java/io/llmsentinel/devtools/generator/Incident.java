package io.llmsentinel.devtools.generator;

import java.time.Instant;
import java.util.Locale;

/**
 * An incident injected into generated telemetry: what, for which service and model, and when in
 * event time. The generator writes each one to its record file so a run can be scored.
 */
public record Incident(Type type, String service, String model, long startMs, long endMs) {

    /** The kinds of trouble the generator can inject. */
    public enum Type {
        /** Responses take several times longer. */
        LATENCY_SPIKE(null),
        /** Completions run away: many times the usual output tokens. */
        TOKEN_EXPLOSION(null),
        /** The reported cost per request jumps (a price change or a wrong model tier). */
        COST_JUMP(null),
        /**
         * Most requests fail fast with server errors (500, 503): the application's or the
         * provider's failure, not throttling, which is {@link #RATE_LIMITED}.
         */
        ERROR_BURST(null),
        /** Many answers are cut at the token limit (finish reason {@code length}). */
        TRUNCATION("truncation_rate"),
        /** Many answers are stopped by the provider's content filter. */
        CONTENT_FILTER("content_filter_rate"),
        /** The provider refuses many calls for its rate limit (HTTP 429). */
        RATE_LIMITED("rate_limited_rate"),
        /** The application's tool executions ({@code execute_tool} spans) fail. */
        TOOL_FAILURES("tool_error_rate"),
        /** The prompt cache stops hitting: cached input tokens drop to almost none. */
        CACHE_MISS("cache_hit_ratio");

        private final String signalMetric;

        Type(String signalMetric) {
            this.signalMetric = signalMetric;
        }

        /**
         * The LLM-specific share this kind moves and nothing else (the window metric's code), or
         * null for the kinds that move the latency, token, cost and error metrics together.
         */
        public String signalMetric() {
            return signalMetric;
        }

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Type fromCode(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "unknown incident type '"
                                + s
                                + "'; the types: "
                                + java.util.Arrays.stream(values()).map(Type::code).toList());
            }
        }
    }

    public boolean activeAt(long eventTimeMs, String svc) {
        return service.equals(svc) && eventTimeMs >= startMs && eventTimeMs < endMs;
    }

    public String toJson() {
        return String.format(
                Locale.ROOT,
                "{\"type\":\"%s\",\"service\":\"%s\",\"model\":\"%s\",\"start\":\"%s\","
                        + "\"end\":\"%s\",\"start_ms\":%d,\"end_ms\":%d}",
                type.code(),
                service,
                model,
                Instant.ofEpochMilli(startMs),
                Instant.ofEpochMilli(endMs),
                startMs,
                endMs);
    }
}

package io.llmsentinel.functions.read;

import io.llmsentinel.functions.model.LlmRequest;
import java.io.Serializable;

/**
 * What every reader does to a request once its fields are read: rejects impossible values and event
 * times too far ahead of the clock, cleans odd dimension values ({@link Dimensions}), fills the
 * cost from the price table, and scrubs and truncates the text.
 */
public final class RequestChecks implements Serializable {
    private static final long serialVersionUID = 1L;

    /** 2000-01-01 and 2100-01-01: times outside are clock or unit errors. */
    private static final long MIN_TIME_MS = 946_684_800_000L;

    private static final long MAX_TIME_MS = 4_102_444_800_000L;
    private static final double MAX_LATENCY_MS = 24 * 3600 * 1000.0;
    private static final double MAX_TOKENS = 100_000_000.0;
    private static final double MAX_COST_USD = 1_000_000.0;

    /** A source of processing time, serializable so a reader can carry it. */
    public interface Clock extends Serializable {
        long nowMs();
    }

    private final PriceTable prices;
    private final PiiScrubber scrubber = new PiiScrubber();
    private final int maxTextChars;
    private final long maxFutureMs;
    private final Clock clock;

    RequestChecks(PriceTable prices, int maxTextChars, long maxFutureMs, Clock clock) {
        this.prices = prices;
        this.maxTextChars = maxTextChars;
        this.maxFutureMs = maxFutureMs;
        this.clock = clock;
    }

    /** Completes the request, or throws with the reason it cannot be used. */
    void complete(LlmRequest r) {
        if (r.eventTimeMs < MIN_TIME_MS || r.eventTimeMs > MAX_TIME_MS) {
            throw invalid("event time " + r.eventTimeMs + " ms is outside 2000..2100");
        }
        long ahead = r.eventTimeMs - clock.nowMs();
        if (ahead > maxFutureMs) {
            // One span with a clock a day ahead would move the watermark a day ahead and make
            // every ordinary request late: refused, not clamped (its times cannot be trusted).
            throw new InvalidInputException(
                    InvalidReason.CLOCK_SKEW,
                    "event time "
                            + java.time.Instant.ofEpochMilli(r.eventTimeMs)
                            + " is "
                            + ahead / 1000
                            + " s ahead of this clock (event-time.max-future is "
                            + maxFutureMs / 1000
                            + " s)");
        }
        checkRange("latency_ms", r.latencyMs, MAX_LATENCY_MS);
        checkRange("ttft_ms", r.ttftMs, MAX_LATENCY_MS);
        checkRange("input_tokens", r.inputTokens, MAX_TOKENS);
        checkRange("output_tokens", r.outputTokens, MAX_TOKENS);
        checkRange("cached_input_tokens", r.cachedInputTokens, MAX_TOKENS);
        checkRange("cost_usd", r.costUsd, MAX_COST_USD);
        if (Double.isNaN(r.costUsd)) {
            r.costUsd = prices.costUsd(r.model, r.inputTokens, r.outputTokens);
        }
        r.promptText = cleanText(r.promptText);
        r.completionText = cleanText(r.completionText);
    }

    /**
     * Applies {@link Dimensions}' rule to every dimension of a request whose dimensions are all
     * set; returns how many values had to change.
     */
    int cleanDimensions(LlmRequest r) {
        int cleaned = 0;
        String v;
        if ((v = Dimensions.clean(r.service)) != r.service) {
            r.service = v;
            cleaned++;
        }
        if ((v = Dimensions.clean(r.model)) != r.model) {
            r.model = v;
            cleaned++;
        }
        if ((v = Dimensions.clean(r.provider)) != r.provider) {
            r.provider = v;
            cleaned++;
        }
        if ((v = Dimensions.clean(r.operation)) != r.operation) {
            r.operation = v;
            cleaned++;
        }
        if ((v = Dimensions.clean(r.environment)) != r.environment) {
            r.environment = v;
            cleaned++;
        }
        if ((v = Dimensions.clean(r.namespace)) != r.namespace) {
            r.namespace = v;
            cleaned++;
        }
        return cleaned;
    }

    /** Scrubs text that leaves the job anywhere else (dead letters). */
    String scrub(String text) {
        return scrubber.scrub(text);
    }

    private String cleanText(String text) {
        if (text == null || maxTextChars <= 0) {
            return null;
        }
        String t = text.length() > maxTextChars ? text.substring(0, maxTextChars) : text;
        return scrubber.scrub(t);
    }

    private static void checkRange(String name, double value, double max) {
        if (value != value) { // NaN means absent here; present NaN values are rejected earlier
            return;
        }
        if (Double.isInfinite(value) || value < 0 || value > max) {
            throw invalid(name + " = " + value + " is outside [0, " + (long) max + "]");
        }
    }

    private static InvalidInputException invalid(String detail) {
        return new InvalidInputException(InvalidReason.INVALID_VALUE, detail);
    }
}

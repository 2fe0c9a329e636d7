package io.llmsentinel.functions.read;

import io.llmsentinel.functions.model.LlmRequest;
import java.io.Serializable;

/**
 * What every reader does to a request once its fields are read: rejects impossible values, fills
 * the cost from the price table, and scrubs and truncates the text.
 */
final class RequestChecks implements Serializable {
    private static final long serialVersionUID = 1L;

    /** 2000-01-01 and 2100-01-01: times outside are clock or unit errors. */
    private static final long MIN_TIME_MS = 946_684_800_000L;

    private static final long MAX_TIME_MS = 4_102_444_800_000L;
    private static final double MAX_LATENCY_MS = 24 * 3600 * 1000.0;
    private static final double MAX_TOKENS = 100_000_000.0;
    private static final double MAX_COST_USD = 1_000_000.0;

    private final PriceTable prices;
    private final PiiScrubber scrubber = new PiiScrubber();
    private final int maxTextChars;

    RequestChecks(PriceTable prices, int maxTextChars) {
        this.prices = prices;
        this.maxTextChars = maxTextChars;
    }

    /** Completes the request, or throws with the reason it cannot be used. */
    void complete(LlmRequest r) {
        if (r.eventTimeMs < MIN_TIME_MS || r.eventTimeMs > MAX_TIME_MS) {
            throw invalid("event time " + r.eventTimeMs + " ms is outside 2000..2100");
        }
        checkRange("latency_ms", r.latencyMs, MAX_LATENCY_MS);
        checkRange("ttft_ms", r.ttftMs, MAX_LATENCY_MS);
        checkRange("input_tokens", r.inputTokens, MAX_TOKENS);
        checkRange("output_tokens", r.outputTokens, MAX_TOKENS);
        checkRange("cost_usd", r.costUsd, MAX_COST_USD);
        if (Double.isNaN(r.costUsd)) {
            r.costUsd = prices.costUsd(r.model, r.inputTokens, r.outputTokens);
        }
        r.promptText = cleanText(r.promptText);
        r.completionText = cleanText(r.completionText);
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

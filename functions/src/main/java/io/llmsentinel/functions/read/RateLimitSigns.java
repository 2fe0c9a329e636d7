package io.llmsentinel.functions.read;

import java.util.Locale;

/**
 * Whether a failed call was throttled by its provider (HTTP 429), told apart from other errors:
 * being rate-limited needs another response (quota, backoff, another region) than a bug of one's
 * own. Each library says it its own way: an {@code error.type} of {@code 429}, {@code
 * RateLimitError} (the {@code openai} clients' class, which OpenTelemetry JS records) or {@code
 * rate_limit_exceeded}; {@code http.response.status_code = 429}; or only the status message ({@code
 * "429 Rate limit reached..."} from the {@code openai} client, {@code "HTTP 429 - ..."} from Spring
 * AI, {@code "Too Many Requests"} from the AI SDK).
 */
final class RateLimitSigns {
    private RateLimitSigns() {}

    /** Any of the signs; arguments are null (or NaN) when absent. */
    static boolean rateLimited(String errorType, double httpStatus, String statusMessage) {
        return httpStatus == 429 || says(errorType) || says(statusMessage);
    }

    /** A text that names a 429 or a rate limit (case-insensitive, {@code 429} as a number). */
    static boolean says(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        if (hasNumber429(text)) {
            return true;
        }
        String t = text.toLowerCase(Locale.ROOT);
        return t.contains("rate limit")
                || t.contains("rate_limit")
                || t.contains("ratelimit")
                || t.contains("rate-limit")
                || t.contains("too many requests")
                || t.contains("too_many_requests")
                || t.contains("toomanyrequests");
    }

    /** {@code 429} not inside a longer number ("HTTP 429", "429: ..."; not "14290 tokens"). */
    private static boolean hasNumber429(String t) {
        for (int i = t.indexOf("429"); i >= 0; i = t.indexOf("429", i + 1)) {
            boolean digitBefore = i > 0 && Character.isDigit(t.charAt(i - 1));
            boolean digitAfter = i + 3 < t.length() && Character.isDigit(t.charAt(i + 3));
            if (!digitBefore && !digitAfter) {
                return true;
            }
        }
        return false;
    }
}

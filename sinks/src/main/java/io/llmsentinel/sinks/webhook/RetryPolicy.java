package io.llmsentinel.sinks.webhook;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a failed delivery is tried again: on timeouts and connection errors, 408, 429 and 5xx, with
 * exponential backoff and full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"),
 * capped at 30 s; a 429 or 503 with Retry-After waits what it asks (up to 60 s). Other 4xx are the
 * request's fault and are not retried.
 */
final class RetryPolicy {
    static final long MAX_BACKOFF_MS = 30_000;
    static final long MAX_RETRY_AFTER_MS = 60_000;

    private RetryPolicy() {}

    static boolean retryable(int status) {
        return status == 408 || status == 429 || status >= 500;
    }

    /** Delay before attempt {@code attempt + 1} (attempts count from 1). */
    static long backoffMs(long initialMs, int attempt) {
        long cap = Math.min(MAX_BACKOFF_MS, initialMs << Math.min(attempt - 1, 20));
        return ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
    }

    /** Retry-After as seconds or an HTTP date, in milliseconds from now, when present and sane. */
    static Optional<Long> retryAfterMs(Optional<String> header) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String v = header.get().trim();
        try {
            long ms = Long.parseLong(v) * 1000;
            return Optional.of(Math.max(0, Math.min(ms, MAX_RETRY_AFTER_MS)));
        } catch (NumberFormatException notSeconds) {
            try {
                long ms =
                        Duration.between(
                                        ZonedDateTime.now(),
                                        ZonedDateTime.parse(
                                                v, DateTimeFormatter.RFC_1123_DATE_TIME))
                                .toMillis();
                return Optional.of(Math.max(0, Math.min(ms, MAX_RETRY_AFTER_MS)));
            } catch (RuntimeException notADate) {
                return Optional.empty();
            }
        }
    }
}

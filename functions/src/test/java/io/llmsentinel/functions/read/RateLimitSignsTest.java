package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimitSignsTest {

    @Test
    void readsEachLibrarysWayOfSayingIt() {
        assertThat(RateLimitSigns.rateLimited("RateLimitError", Double.NaN, null)).isTrue();
        assertThat(RateLimitSigns.rateLimited("rate_limit_exceeded", Double.NaN, null)).isTrue();
        assertThat(RateLimitSigns.rateLimited("429", Double.NaN, null)).isTrue();
        assertThat(RateLimitSigns.rateLimited(null, 429, null)).isTrue();
        assertThat(
                        RateLimitSigns.rateLimited(
                                null, Double.NaN, "429 Rate limit reached for gpt-4o"))
                .isTrue();
        assertThat(
                        RateLimitSigns.rateLimited(
                                null, Double.NaN, "HTTP 429 - {\"error\":{\"message\":\"..\"}}"))
                .isTrue();
        assertThat(RateLimitSigns.rateLimited(null, Double.NaN, "Too Many Requests")).isTrue();
    }

    @Test
    void otherErrorsAreNotRateLimits() {
        assertThat(RateLimitSigns.rateLimited("500", 500, "Internal Server Error")).isFalse();
        assertThat(
                        RateLimitSigns.rateLimited(
                                "TimeoutError", Double.NaN, "timed out after 4290 ms"))
                .isFalse();
        assertThat(RateLimitSigns.rateLimited("APIConnectionError", Double.NaN, "14290 tokens"))
                .isFalse();
        assertThat(RateLimitSigns.rateLimited(null, Double.NaN, null)).isFalse();
    }
}

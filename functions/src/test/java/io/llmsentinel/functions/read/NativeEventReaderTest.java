package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.model.LlmRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NativeEventReaderTest {

    private final NativeEventReader reader =
            new NativeEventReader(
                    new PriceTable(Map.of("gpt-4o", new PriceTable.Price(2.5, 10))), 1 << 20, 100);

    private static final String EVENT =
            "{\"event_id\":\"e1\",\"timestamp\":\"2025-11-20T10:00:00Z\",\"service_name\":\"chat-api\","
                    + "\"trace_id\":\"t1\",\"span_id\":\"s1\",\"model\":\"gpt-4o\","
                    + "\"prompt\":{\"text\":\"my card 4111-1111-1111-1111\",\"tokens\":100},"
                    + "\"response\":{\"text\":\"ok\",\"tokens\":20,\"finish_reason\":\"stop\"},"
                    + "\"latency_ms\":812.5,\"metadata\":{\"provider\":\"openai\",\"team\":\"x\"},"
                    + "\"errors\":[]}";

    @Test
    void readsNativeEventAndPricesIt() {
        ReadResult r = reader.read(EVENT.getBytes(StandardCharsets.UTF_8));

        assertThat(r.invalid()).isEmpty();
        LlmRequest req = r.requests().get(0);
        assertThat(req.eventTimeMs).isEqualTo(1763632800000L);
        assertThat(req.service).isEqualTo("chat-api");
        assertThat(req.provider).isEqualTo("openai");
        assertThat(req.operation).isEqualTo("chat");
        assertThat(req.latencyMs).isEqualTo(812.5);
        assertThat(req.inputTokens).isEqualTo(100);
        assertThat(req.outputTokens).isEqualTo(20);
        assertThat(req.costUsd).isEqualTo((100 * 2.5 + 20 * 10) / 1e6);
        assertThat(req.promptText).isEqualTo("my card [CARD]");
        assertThat(req.error).isFalse();
    }

    @Test
    void refusesEventsFromBeyondMaxFuture() {
        long eventMs = 1763632800000L;
        NativeEventReader behind =
                new NativeEventReader(
                        PriceTable.empty(), 1 << 20, 100, 5 * 60_000L, () -> eventMs - 3600_000L);
        ReadResult r = behind.read(EVENT.getBytes(StandardCharsets.UTF_8));
        assertThat(r.requests()).isEmpty();
        assertThat(r.invalid())
                .singleElement()
                .extracting(ReadResult.Invalid::reason)
                .isEqualTo(InvalidReason.CLOCK_SKEW);
    }

    @Test
    void readsEpochMillisAndErrors() {
        String e =
                EVENT.replace("\"2025-11-20T10:00:00Z\"", "1763632800123")
                        .replace("\"errors\":[]", "\"errors\":[{\"type\":\"timeout\"}]")
                        .replace("\"latency_ms\":812.5", "\"latency_ms\":812.5,\"cost_usd\":0.25");
        LlmRequest req = reader.read(e.getBytes(StandardCharsets.UTF_8)).requests().get(0);

        assertThat(req.eventTimeMs).isEqualTo(1763632800123L);
        assertThat(req.error).isTrue();
        assertThat(req.errorType).isEqualTo("timeout");
        assertThat(req.costUsd).isEqualTo(0.25);
    }

    @Test
    void readsTheFinishReasonRateLimitsAndStripsTheSnapshotFromTheKey() {
        String e =
                EVENT.replace("\"finish_reason\":\"stop\"", "\"finish_reason\":\"max_tokens\"")
                        .replace("\"model\":\"gpt-4o\"", "\"model\":\"gpt-4o-2024-08-06\"")
                        .replace(
                                "\"errors\":[]",
                                "\"errors\":[{\"type\":\"provider_error\",\"status\":429}]");
        LlmRequest req = reader.read(e.getBytes(StandardCharsets.UTF_8)).requests().get(0);

        assertThat(req.finishReason).isEqualTo("length");
        assertThat(req.error).isTrue();
        assertThat(req.rateLimited).isTrue();
        assertThat(req.model).isEqualTo("gpt-4o");
        assertThat(req.requestModel).isEqualTo("gpt-4o-2024-08-06");
        assertThat(req.cachedInputTokens).isNaN();

        LlmRequest plain = reader.read(EVENT.getBytes(StandardCharsets.UTF_8)).requests().get(0);
        assertThat(plain.finishReason).isEqualTo("stop");
        assertThat(plain.rateLimited).isFalse();
        String timeout = EVENT.replace("\"errors\":[]", "\"errors\":[\"upstream timeout\"]");
        LlmRequest other = reader.read(timeout.getBytes(StandardCharsets.UTF_8)).requests().get(0);
        assertThat(other.error).isTrue();
        assertThat(other.rateLimited).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "no timestamp | \"timestamp\":\"2025-11-20T10:00:00Z\", | | missing_field",
                "bad timestamp | 2025-11-20T10:00:00Z | next tuesday | invalid_value",
                "latency as text | \"latency_ms\":812.5 | \"latency_ms\":\"slow\" | wrong_type",
                "negative latency | \"latency_ms\":812.5 | \"latency_ms\":-1 | invalid_value",
                "tokens as text | \"tokens\":100 | \"tokens\":\"lots\" | wrong_type",
                "errors not a list | \"errors\":[] | \"errors\":\"bad\" | wrong_type",
                "not json | {\"event_id\" | {{ | invalid_json",
            })
    void rejectsBadEventsWithReason(String name, String find, String replace, String reason) {
        String e = EVENT.replace(find, replace == null ? "" : replace);

        ReadResult r = reader.read(e.getBytes(StandardCharsets.UTF_8));

        assertThat(r.requests()).isEmpty();
        assertThat(r.invalid())
                .singleElement()
                .satisfies(i -> assertThat(i.reason().code()).isEqualTo(reason));
    }
}

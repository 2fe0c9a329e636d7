package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.model.LlmRequest;
import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OtlpTraceReaderTest {

    private final OtlpTraceReader reader =
            new OtlpTraceReader(
                    new PriceTable(Map.of("gpt-4o", new PriceTable.Price(2.5, 10.0))),
                    1 << 20,
                    256);

    static byte[] fixture() throws IOException {
        try (InputStream in = OtlpTraceReaderTest.class.getResourceAsStream("/otlp/trace.json")) {
            return in.readAllBytes();
        }
    }

    @Test
    void acceptsOfficialExampleAndSkipsItsNonLlmSpan() throws IOException {
        ReadResult r = reader.read(fixture());

        assertThat(r.invalid()).isEmpty();
        assertThat(r.requests()).isEmpty();
        assertThat(r.skipped()).isEqualTo(1);
    }

    @Test
    void readsNumericTimesAndUpperCaseHexIdsOfOfficialExample() throws IOException {
        String json = new String(fixture(), StandardCharsets.UTF_8);
        String llm =
                json.replace("\"key\": \"my.span.attr\"", "\"key\": \"gen_ai.request.model\"")
                        .replace(
                                "\"startTimeUnixNano\": \"1544712660000000000\"",
                                "\"startTimeUnixNano\": 1544712660000000000");

        ReadResult r = reader.read(llm.getBytes(StandardCharsets.UTF_8));

        assertThat(r.invalid()).isEmpty();
        assertThat(r.requests()).hasSize(1);
        LlmRequest req = r.requests().get(0);
        assertThat(req.traceId).isEqualTo("5b8efff798038103d269b633813fc60c");
        assertThat(req.spanId).isEqualTo("eee19b7ec3c1b174");
        assertThat(req.latencyMs).isEqualTo(1000.0);
        assertThat(req.eventTimeMs).isEqualTo(1544712661000L);
        assertThat(req.service).isEqualTo("my.service");
        assertThat(req.model).isEqualTo("some value");
    }

    @Test
    void readsBase64Ids() throws IOException {
        String json =
                new String(fixture(), StandardCharsets.UTF_8)
                        .replace("\"key\": \"my.span.attr\"", "\"key\": \"gen_ai.system\"")
                        .replace("5B8EFFF798038103D269B633813FC60C", "W47/95gDgQPSabYzgT/GDA==")
                        .replace("\"EEE19B7EC3C1B174\"", "\"7uGbfsPBsXQ=\"");

        LlmRequest req = reader.read(json.getBytes(StandardCharsets.UTF_8)).requests().get(0);

        assertThat(req.traceId).isEqualTo("5b8efff798038103d269b633813fc60c");
        assertThat(req.spanId).isEqualTo("eee19b7ec3c1b174");
    }

    @Test
    void readsSdkSpanWithCurrentConventions() {
        byte[] msg =
                SdkSpans.message(
                        "support-bot",
                        1500,
                        s -> {
                            s.setAttribute("gen_ai.provider.name", "openai");
                            s.setAttribute("gen_ai.system", "ignored-because-provider-name-wins");
                            s.setAttribute("gen_ai.operation.name", "chat");
                            s.setAttribute("gen_ai.request.model", "gpt-4o");
                            s.setAttribute("gen_ai.response.model", "gpt-4o-2024-08-06");
                            s.setAttribute("gen_ai.usage.input_tokens", 1000L);
                            s.setAttribute("gen_ai.usage.output_tokens", 200L);
                            s.setAttribute("gen_ai.response.time_to_first_chunk", 0.35);
                            s.setAttribute("some.other.attribute", "not a tag");
                        });

        ReadResult r = reader.read(msg);

        assertThat(r.invalid()).isEmpty();
        LlmRequest req = r.requests().get(0);
        assertThat(req.service).isEqualTo("support-bot");
        assertThat(req.environment).isEqualTo("test");
        assertThat(req.namespace).isEqualTo("ns");
        assertThat(req.provider).isEqualTo("openai");
        assertThat(req.operation).isEqualTo("chat");
        // keys.model-name: request by default; both names kept
        assertThat(req.model).isEqualTo("gpt-4o");
        assertThat(req.requestModel).isEqualTo("gpt-4o");
        assertThat(req.responseModel).isEqualTo("gpt-4o-2024-08-06");
        assertThat(req.inputTokens).isEqualTo(1000);
        assertThat(req.outputTokens).isEqualTo(200);
        assertThat(req.ttftMs).isCloseTo(350, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(req.latencyMs).isEqualTo(1500);
        // No cost attribute: priced from the table by the longest matching prefix.
        assertThat(req.costUsd)
                .isCloseTo(
                        (1000 * 2.5 + 200 * 10.0) / 1e6,
                        org.assertj.core.data.Offset.offset(1e-12));
        assertThat(req.error).isFalse();
        assertThat(req.traceId).hasSize(32);
        assertThat(req.eventTimeMs).isEqualTo(SdkSpans.START_NANOS / 1_000_000 + 1500);
    }

    static Stream<Arguments> fallbacks() {
        return Stream.of(
                Arguments.of("gen_ai.system", "provider"),
                Arguments.of("llm.provider", "provider"),
                Arguments.of("llm.system", "provider"),
                Arguments.of("gen_ai.request.model", "model"),
                Arguments.of("llm.model_name", "model"),
                Arguments.of("llm.model", "model"));
    }

    @ParameterizedTest(name = "{0} gives the {1}")
    @MethodSource("fallbacks")
    void readsEveryFallbackNameOfTextDimensions(String attribute, String field) {
        LlmRequest req = only(s -> s.setAttribute(attribute, "value-of-" + attribute));

        String actual = field.equals("provider") ? req.provider : req.model;
        assertThat(actual).isEqualTo("value-of-" + attribute);
    }

    static Stream<Arguments> numericFallbacks() {
        return Stream.of(
                Arguments.of("gen_ai.usage.prompt_tokens", "input"),
                Arguments.of("llm.token_count.prompt", "input"),
                Arguments.of("gen_ai.usage.completion_tokens", "output"),
                Arguments.of("llm.token_count.completion", "output"));
    }

    @ParameterizedTest(name = "{0} gives {1} tokens")
    @MethodSource("numericFallbacks")
    void readsEveryFallbackNameOfTokenCounts(String attribute, String which) {
        LlmRequest req =
                only(
                        s -> {
                            s.setAttribute("gen_ai.system", "openai");
                            s.setAttribute(attribute, 321L);
                        });

        assertThat(which.equals("input") ? req.inputTokens : req.outputTokens).isEqualTo(321);
    }

    @Test
    void prefersCurrentTokenNamesOverDeprecatedOnes() {
        LlmRequest req =
                only(
                        s -> {
                            s.setAttribute("gen_ai.usage.input_tokens", 10L);
                            s.setAttribute("gen_ai.usage.prompt_tokens", 99L);
                            s.setAttribute("llm.token_count.prompt", 98L);
                        });
        assertThat(req.inputTokens).isEqualTo(10);
    }

    @Test
    void readsServerTimeToFirstTokenInSeconds() {
        LlmRequest req =
                only(
                        s -> {
                            s.setAttribute("gen_ai.system", "openai");
                            s.setAttribute("gen_ai.server.time_to_first_token", 1.25);
                        });
        assertThat(req.ttftMs).isEqualTo(1250);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"gen_ai.usage.cost", "llm.cost.total"})
    void takesCostFromAttributeOverPriceTable(String attribute) {
        LlmRequest req =
                only(
                        s -> {
                            s.setAttribute("gen_ai.request.model", "gpt-4o");
                            s.setAttribute("gen_ai.usage.input_tokens", 1000L);
                            s.setAttribute(attribute, 0.5);
                        });
        assertThat(req.costUsd).isEqualTo(0.5);
    }

    @Test
    void leavesCostUnknownWithoutAttributeOrPrice() {
        LlmRequest req =
                only(
                        s -> {
                            s.setAttribute("gen_ai.request.model", "some-unpriced-model");
                            s.setAttribute("gen_ai.usage.input_tokens", 1000L);
                        });
        assertThat(req.costUsd).isNaN();
    }

    @Test
    void marksErrorsFromStatusAndFromErrorType() {
        LlmRequest byStatus =
                only(
                        s -> {
                            s.setAttribute("gen_ai.system", "openai");
                            SdkSpans.error(s);
                        });
        LlmRequest byType =
                only(
                        s -> {
                            s.setAttribute("gen_ai.system", "openai");
                            s.setAttribute("error.type", "rate_limit_exceeded");
                        });

        assertThat(byStatus.error).isTrue();
        assertThat(byType.error).isTrue();
        assertThat(byType.errorType).isEqualTo("rate_limit_exceeded");
    }

    @Test
    void scrubsPromptText() {
        LlmRequest req =
                only(
                        s -> {
                            s.setAttribute("gen_ai.system", "openai");
                            s.setAttribute("gen_ai.prompt", "mail me at bob@example.org");
                        });
        assertThat(req.promptText).isEqualTo("mail me at [EMAIL]");
    }

    @Test
    void keepsGoodSpansWhenAnotherSpanInTheMessageIsInvalid() {
        byte[] msg =
                SdkSpans.message(
                        "svc",
                        List.of(
                                new SdkSpans.SpanSpec(
                                        100, s -> s.setAttribute("gen_ai.system", "openai")),
                                new SdkSpans.SpanSpec(
                                        100,
                                        s -> {
                                            s.setAttribute("gen_ai.system", "openai");
                                            s.setAttribute("gen_ai.usage.input_tokens", -5L);
                                        }),
                                new SdkSpans.SpanSpec(
                                        100, s -> s.setAttribute("http.route", "/"))));

        ReadResult r = reader.read(msg);

        assertThat(r.requests()).hasSize(1);
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(r.invalid())
                .singleElement()
                .satisfies(
                        i -> {
                            assertThat(i.reason()).isEqualTo(InvalidReason.INVALID_VALUE);
                            assertThat(i.detail()).contains("input_tokens");
                        });
    }

    @Test
    void acceptsInt64AsNumberAndIgnoresUnknownFields() {
        String json =
                "{\"resourceSpans\":[{\"futureField\":{\"a\":[1,2]},\"resource\":{\"attributes\":"
                        + "[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"s\"}}]},"
                        + "\"scopeSpans\":[{\"scope\":{\"name\":\"x\"},\"spans\":[{\"traceId\":"
                        + "\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"0102030405060708\","
                        + "\"startTimeUnixNano\":1764000000000000000,\"endTimeUnixNano\":"
                        + "\"1764000000250000000\",\"kind\":3,\"newThing\":true,\"attributes\":["
                        + "{\"key\":\"gen_ai.system\",\"value\":{\"stringValue\":\"openai\"}},"
                        + "{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":42}},"
                        + "{\"key\":\"gen_ai.usage.output_tokens\",\"value\":{\"intValue\":\"7\"}}],"
                        + "\"status\":{\"code\":2}}]}]}]}";

        ReadResult r = reader.read(json.getBytes(StandardCharsets.UTF_8));

        assertThat(r.invalid()).isEmpty();
        LlmRequest req = r.requests().get(0);
        assertThat(req.inputTokens).isEqualTo(42);
        assertThat(req.outputTokens).isEqualTo(7);
        assertThat(req.latencyMs).isEqualTo(250);
        assertThat(req.error).isTrue();
    }

    @Test
    void refusesSpansFromBeyondMaxFutureAndKeepsThoseWithin() {
        long spanEndMs = SdkSpans.START_NANOS / 1_000_000 + 500;
        // this machine's clock a day behind the span: the span is a day "ahead"
        OtlpTraceReader dayBehind =
                new OtlpTraceReader(
                        PriceTable.empty(),
                        1 << 20,
                        256,
                        5 * 60_000L,
                        () -> spanEndMs - 24 * 3600_000L);
        ReadResult r = dayBehind.read(SdkSpans.message("svc", 500, s -> llm(s)));
        assertThat(r.requests()).isEmpty();
        assertThat(r.invalid())
                .singleElement()
                .satisfies(
                        i -> {
                            assertThat(i.reason()).isEqualTo(InvalidReason.CLOCK_SKEW);
                            assertThat(i.detail()).contains("86400 s ahead");
                        });

        OtlpTraceReader fourMinutesBehind =
                new OtlpTraceReader(
                        PriceTable.empty(), 1 << 20, 256, 5 * 60_000L, () -> spanEndMs - 240_000L);
        assertThat(fourMinutesBehind.read(SdkSpans.message("svc", 500, s -> llm(s))).requests())
                .hasSize(1);
    }

    @Test
    void cleansOverLongAndOddDimensionValuesByOneRule() {
        String huge = "s".repeat(70_000);
        ReadResult r =
                reader.read(
                        SdkSpans.message(
                                huge,
                                500,
                                s -> {
                                    llm(s);
                                    s.setAttribute("gen_ai.request.model", "gpt\u0000-4o");
                                }));

        assertThat(r.invalid()).isEmpty();
        assertThat(r.cleanedDimensions()).isEqualTo(2);
        LlmRequest req = r.requests().get(0);
        assertThat(req.service).hasSize(Dimensions.MAX_CHARS).endsWith("s\u2026");
        assertThat(req.model).isEqualTo("gpt\ufffd-4o");

        // a lone surrogate can only arrive escaped in the JSON text
        String json =
                "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                        + "\"value\":{\"stringValue\":\"a\\ud800b\"}}]},\"scopeSpans\":[{\"spans\":"
                        + "[{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":"
                        + "\"0102030405060708\",\"startTimeUnixNano\":\"1764000000000000000\","
                        + "\"endTimeUnixNano\":\"1764000000250000000\",\"attributes\":[{\"key\":"
                        + "\"gen_ai.system\",\"value\":{\"stringValue\":\"openai\"}}]}]}]}]}";
        ReadResult escaped = reader.read(json.getBytes(StandardCharsets.UTF_8));
        assertThat(escaped.cleanedDimensions()).isEqualTo(1);
        assertThat(escaped.requests().get(0).service).isEqualTo("a\ufffdb");
    }

    @Test
    void readsSpansWhoseKeysAreEscapedAndSkipsTheOthersUnparsed() {
        String json =
                "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":["
                        // not an LLM span: its invalid UTF-8 and odd number are never decoded
                        + "{\"name\":\"GET \u00ff\",\"attributes\":[{\"key\":\"http.route\","
                        + "\"value\":{\"stringValue\":\"/\uD800\"}},{\"key\":\"n\",\"value\":"
                        + "{\"intValue\":007}}]},"
                        + "{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":"
                        + "\"0102030405060708\",\"startTimeUnixNano\":\"1764000000000000000\","
                        + "\"endTimeUnixNano\":\"1764000000250000000\",\"attributes\":[{\"key\":"
                        + "\"gen\\u005fai.system\",\"value\":{\"stringValue\":\"openai\"}}]}"
                        + "]}]}]}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 'G' && bytes[i + 1] == 'E' && bytes[i + 2] == 'T') {
                bytes[i + 4] = (byte) 0xFF; // a byte no UTF-8 text holds
            }
        }

        ReadResult r = reader.read(bytes);

        assertThat(r.invalid()).isEmpty();
        assertThat(r.skipped(SkipReason.NOT_GENAI)).isEqualTo(1);
        assertThat(r.requests())
                .singleElement()
                .satisfies(q -> assertThat(q.provider).isEqualTo("openai"));
    }

    private static void llm(Span s) {
        s.setAttribute("gen_ai.system", "openai");
    }

    private LlmRequest only(Consumer<Span> attributes) {
        ReadResult r = reader.read(SdkSpans.message("svc", 500, attributes));
        assertThat(r.invalid()).isEmpty();
        assertThat(r.requests()).hasSize(1);
        return r.requests().get(0);
    }
}

package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RawMessage;
import io.llmsentinel.functions.read.OtlpTraceReader;
import io.llmsentinel.functions.read.PriceTable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad input lands on the dead-letter output with its reason and its bytes. */
class TelemetryParserTest {

    private static final int MAX_BYTES = 1 << 20;

    static String span(String attributes, String start, String end) {
        return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                + "\"value\":{\"stringValue\":\"svc\"}}]},\"scopeSpans\":[{\"spans\":[{"
                + "\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"0102030405060708\","
                + (start == null ? "" : "\"startTimeUnixNano\":\"" + start + "\",")
                + "\"endTimeUnixNano\":\""
                + end
                + "\",\"attributes\":["
                + attributes
                + "]}]}]}]}";
    }

    static String llmSpan(String extraAttributes) {
        return span(
                "{\"key\":\"gen_ai.system\",\"value\":{\"stringValue\":\"openai\"}}"
                        + (extraAttributes.isEmpty() ? "" : "," + extraAttributes),
                "1764000000000000000",
                "1764000001000000000");
    }

    static String attr(String key, String anyValue) {
        return "{\"key\":\"" + key + "\",\"value\":" + anyValue + "}";
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> badInput() {
        String deep = "[".repeat(200) + "]".repeat(200);
        byte[] nonUtf8 = utf8(llmSpan(attr("gen_ai.prompt", "{\"stringValue\":\"XX\"}")));
        for (int i = 0; i < nonUtf8.length - 1; i++) {
            if (nonUtf8[i] == 'X' && nonUtf8[i + 1] == 'X') {
                nonUtf8[i] = (byte) 0xC3;
                nonUtf8[i + 1] = (byte) 0x28;
                break;
            }
        }
        return Stream.of(
                Arguments.of("empty message", new byte[0], "empty_message"),
                Arguments.of("invalid JSON", utf8("{\"resourceSpans\": ["), "invalid_json"),
                Arguments.of(
                        "trailing garbage", utf8("{\"resourceSpans\":[]} xyz"), "invalid_json"),
                Arguments.of("not an object", utf8("[1, 2]"), "wrong_type"),
                Arguments.of(
                        "resourceSpans of wrong type",
                        utf8("{\"resourceSpans\":\"x\"}"),
                        "wrong_type"),
                Arguments.of("no resourceSpans", utf8("{\"hello\":\"world\"}"), "missing_field"),
                Arguments.of(
                        "token count of wrong type",
                        utf8(llmSpan(attr("gen_ai.usage.input_tokens", "{\"boolValue\":true}"))),
                        "wrong_type"),
                Arguments.of(
                        "token count as text",
                        utf8(
                                llmSpan(
                                        attr(
                                                "gen_ai.usage.input_tokens",
                                                "{\"stringValue\":\"many\"}"))),
                        "wrong_type"),
                Arguments.of(
                        "time of wrong type",
                        utf8(
                                span(
                                        "{\"key\":\"gen_ai.system\",\"value\":{\"stringValue\":\"o\"}}",
                                        "1764000000000000000",
                                        "yesterday")),
                        "wrong_type"),
                Arguments.of(
                        "LLM span without start time",
                        utf8(
                                span(
                                        "{\"key\":\"gen_ai.system\",\"value\":{\"stringValue\":\"o\"}}",
                                        null,
                                        "1764000001000000000")),
                        "missing_field"),
                Arguments.of(
                        "NaN cost",
                        utf8(llmSpan(attr("gen_ai.usage.cost", "{\"doubleValue\":\"NaN\"}"))),
                        "invalid_value"),
                Arguments.of(
                        "infinite time to first token",
                        utf8(
                                llmSpan(
                                        attr(
                                                "gen_ai.response.time_to_first_chunk",
                                                "{\"doubleValue\":\"Infinity\"}"))),
                        "invalid_value"),
                Arguments.of(
                        "negative tokens",
                        utf8(llmSpan(attr("gen_ai.usage.output_tokens", "{\"intValue\":\"-3\"}"))),
                        "invalid_value"),
                Arguments.of(
                        "absurd token count",
                        utf8(
                                llmSpan(
                                        attr(
                                                "gen_ai.usage.output_tokens",
                                                "{\"intValue\":\"1000000000000\"}"))),
                        "invalid_value"),
                Arguments.of(
                        "absurd latency (3 days)",
                        utf8(
                                span(
                                        "{\"key\":\"gen_ai.system\",\"value\":{\"stringValue\":\"o\"}}",
                                        "1764000000000000000",
                                        "1764259200000000000")),
                        "invalid_value"),
                Arguments.of(
                        "end before start",
                        utf8(
                                span(
                                        "{\"key\":\"gen_ai.system\",\"value\":{\"stringValue\":\"o\"}}",
                                        "1764000001000000000",
                                        "1764000000000000000")),
                        "invalid_value"),
                Arguments.of(
                        "time in 1970",
                        utf8(
                                span(
                                        "{\"key\":\"gen_ai.system\",\"value\":{\"stringValue\":\"o\"}}",
                                        "1000",
                                        "2000")),
                        "invalid_value"),
                Arguments.of(
                        "bad trace id",
                        utf8(llmSpan("").replace("0102030405060708090a0b0c0d0e0f10", "zz")),
                        "invalid_value"),
                Arguments.of(
                        "huge message",
                        utf8(
                                llmSpan(
                                        attr(
                                                "gen_ai.prompt",
                                                "{\"stringValue\":\""
                                                        + "a".repeat(MAX_BYTES)
                                                        + "\"}"))),
                        "too_large"),
                Arguments.of(
                        "deeply nested",
                        utf8("{\"resourceSpans\":[],\"x\":" + deep + "}"),
                        "too_deep"),
                Arguments.of("non-UTF-8 bytes", nonUtf8, "invalid_encoding"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInput")
    void sendsBadInputToDeadLettersWithReason(String name, byte[] payload, String reason)
            throws Exception {
        try (OneInputStreamOperatorTestHarness<RawMessage, LlmRequest> h = harness()) {
            h.processElement(new StreamRecord<>(new RawMessage("otlp_spans", 1, 77, 5L, payload)));

            assertThat(h.extractOutputValues()).isEmpty();
            List<DeadLetter> dead =
                    h.getSideOutput(TelemetryParser.DEAD_LETTERS).stream()
                            .map(StreamRecord::getValue)
                            .toList();
            assertThat(dead)
                    .singleElement()
                    .satisfies(
                            d -> {
                                assertThat(d.reason).isEqualTo(reason);
                                assertThat(d.detail).isNotBlank();
                                assertThat(d.payload).isEqualTo(payload);
                                assertThat(d.sourceTopic).isEqualTo("otlp_spans");
                                assertThat(d.sourcePartition).isEqualTo(1);
                                assertThat(d.sourceOffset).isEqualTo(77);
                            });
        }
    }

    @Test
    void passesGoodSpansAndCutsLongTextWithoutDeadLetters() throws Exception {
        String longPrompt = "call 555-123-4567 " + "b".repeat(500_000);
        byte[] good =
                utf8(llmSpan(attr("gen_ai.prompt", "{\"stringValue\":\"" + longPrompt + "\"}")));
        try (OneInputStreamOperatorTestHarness<RawMessage, LlmRequest> h = harness()) {
            h.processElement(new StreamRecord<>(new RawMessage("t", 0, 1, 5L, good)));

            assertThat(h.getSideOutput(TelemetryParser.DEAD_LETTERS)).isNullOrEmpty();
            LlmRequest r = h.extractOutputValues().get(0);
            assertThat(r.promptText).hasSize(256 - "555-123-4567".length() + "[PHONE]".length());
            assertThat(r.promptText).startsWith("call [PHONE] bbb");
        }
    }

    private static OneInputStreamOperatorTestHarness<RawMessage, LlmRequest> harness()
            throws Exception {
        return ProcessFunctionTestHarnesses.forProcessFunction(
                new TelemetryParser(new OtlpTraceReader(PriceTable.empty(), MAX_BYTES, 256)));
    }
}

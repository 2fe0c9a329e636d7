package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RawMessage;
import io.llmsentinel.functions.model.ReadMessage;
import io.llmsentinel.functions.model.RequestKind;
import io.llmsentinel.functions.read.DeadLetters;
import io.llmsentinel.functions.read.MessageReader;
import io.llmsentinel.functions.read.OtlpTraceReader;
import io.llmsentinel.functions.read.PriceTable;
import io.llmsentinel.functions.read.SkipReason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input lands on the dead-letter output with its reason, one bounded, scrubbed
 * dead letter per message; good requests go on, each at its own event time.
 */
class RequestsFromMessagesTest {

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
        try (OneInputStreamOperatorTestHarness<ReadMessage, LlmRequest> h = harness()) {
            send(h, new RawMessage("otlp_spans", 1, 77, 5L, payload));

            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(deadLetters(h))
                    .singleElement()
                    .satisfies(
                            d -> {
                                assertThat(d.reason).isEqualTo(reason);
                                assertThat(d.reasons).isEqualTo(reason + "=1");
                                assertThat(d.invalidCount).isEqualTo(1);
                                assertThat(d.detail).isNotBlank();
                                assertThat(d.sizeBytes).isEqualTo(payload.length);
                                assertThat(d.sha256).isEqualTo(sha256(payload));
                                int cap = CAP;
                                assertThat(d.payloadTruncated).isEqualTo(payload.length > cap);
                                assertThat(d.payload.length).isLessThanOrEqualTo(cap);
                                if (!reason.equals("invalid_encoding")) {
                                    assertThat(d.payload)
                                            .isEqualTo(
                                                    java.util.Arrays.copyOf(
                                                            payload,
                                                            Math.min(cap, payload.length)));
                                }
                                assertThat(d.sourceTopic).isEqualTo("otlp_spans");
                                assertThat(d.sourcePartition).isEqualTo(1);
                                assertThat(d.sourceOffset).isEqualTo(77);
                            });
        }
    }

    @Test
    void passesGoodSpansAtTheirOwnEventTimeAndCutsLongTextWithoutDeadLetters() throws Exception {
        String longPrompt = "call 555-123-4567 " + "b".repeat(500_000);
        byte[] good =
                utf8(llmSpan(attr("gen_ai.prompt", "{\"stringValue\":\"" + longPrompt + "\"}")));
        try (OneInputStreamOperatorTestHarness<ReadMessage, LlmRequest> h = harness()) {
            send(h, new RawMessage("t", 0, 1, 5L, good));

            assertThat(deadLetters(h)).isEmpty();
            StreamRecord<LlmRequest> out = (StreamRecord<LlmRequest>) h.getOutput().peek();
            LlmRequest r = out.getValue();
            assertThat(out.getTimestamp()).isEqualTo(r.eventTimeMs).isEqualTo(1_764_000_001_000L);
            assertThat(r.promptText).hasSize(256 - "555-123-4567".length() + "[PHONE]".length());
            assertThat(r.promptText).startsWith("call [PHONE] bbb");
        }
    }

    /**
     * The reproduction of issue 12: a 915 KB batch, one span of which has a negative token count.
     * One dead letter, bounded and scrubbed; the other spans go on.
     */
    @Test
    void aLargeBatchWithOneBadSpanMakesOneBoundedScrubbedDeadLetter() throws Exception {
        StringBuilder spans = new StringBuilder();
        String prompt = "mail me at jane.doe@example.com " + "p".repeat(9_000);
        for (int i = 0; i < 96; i++) {
            String tokens = i == 40 ? "-5" : "120";
            spans.append(i == 0 ? "" : ",")
                    .append(
                            "{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"01020304050607"
                                    + String.format("%02x", i)
                                    + "\",\"startTimeUnixNano\":\"1764000000000000000\","
                                    + "\"endTimeUnixNano\":\"1764000001000000000\",\"attributes\":["
                                    + attr("gen_ai.system", "{\"stringValue\":\"openai\"}")
                                    + ","
                                    + attr(
                                            "gen_ai.usage.input_tokens",
                                            "{\"intValue\":\"" + tokens + "\"}")
                                    + ","
                                    + attr("gen_ai.prompt", "{\"stringValue\":\"" + prompt + "\"}")
                                    + "]}");
        }
        byte[] batch =
                utf8(
                        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                                + "\"value\":{\"stringValue\":\"svc\"}}]},\"scopeSpans\":[{\"spans\":["
                                + spans
                                + "]}]}]}");
        assertThat(batch.length).isGreaterThan(900_000);
        try (OneInputStreamOperatorTestHarness<ReadMessage, LlmRequest> h = harness()) {
            send(h, new RawMessage("otlp_spans", 0, 9, 5L, batch));

            assertThat(h.extractOutputValues()).hasSize(95);
            DeadLetter d = deadLetters(h).get(0);
            assertThat(deadLetters(h)).hasSize(1);
            assertThat(d.reasons).isEqualTo("invalid_value=1");
            assertThat(d.sizeBytes).isEqualTo(batch.length);
            assertThat(d.sha256).isEqualTo(sha256(batch));
            assertThat(d.payloadTruncated).isTrue();
            assertThat(d.payload.length).isLessThanOrEqualTo(CAP);
            String kept = new String(d.payload, StandardCharsets.UTF_8);
            assertThat(kept).contains("[EMAIL]").doesNotContain("jane.doe@example.com");
        }
    }

    @Test
    void severalBadSpansOfOneMessageMakeOneDeadLetterWithEveryReason() throws Exception {
        String bad1 = attr("gen_ai.usage.input_tokens", "{\"intValue\":\"-5\"}");
        String bad2 = attr("gen_ai.usage.output_tokens", "{\"boolValue\":true}");
        String body =
                "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":["
                        + spanObject(bad1, 1)
                        + ","
                        + spanObject(bad1, 2)
                        + ","
                        + spanObject(bad2, 3)
                        + ","
                        + spanObject("", 4)
                        + "]}]}]}";
        try (OneInputStreamOperatorTestHarness<ReadMessage, LlmRequest> h = harness()) {
            send(h, new RawMessage("otlp_spans", 0, 3, 5L, utf8(body)));

            assertThat(h.extractOutputValues()).hasSize(1);
            assertThat(deadLetters(h))
                    .singleElement()
                    .satisfies(
                            d -> {
                                assertThat(d.invalidCount).isEqualTo(3);
                                assertThat(d.reasons).isEqualTo("invalid_value=2,wrong_type=1");
                                assertThat(d.reason).isEqualTo("invalid_value");
                            });
        }
    }

    @Test
    void aSpanFromAClockADayAheadIsRefusedAndTheOthersGoOn() throws Exception {
        long now = 1_764_000_100_000L;
        long dayAhead = (now + 86_400_000L) * 1_000_000L;
        String body =
                "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":["
                        + spanObject("", 1)
                        + ","
                        + spanObject("", 2).replace("1764000001000000000", Long.toString(dayAhead))
                        + "]}]}]}";
        MessageReader reader =
                new MessageReader(
                        new OtlpTraceReader(PriceTable.empty(), MAX_BYTES, 256, 300_000, () -> now),
                        new DeadLetters(CAP));
        try (OneInputStreamOperatorTestHarness<ReadMessage, LlmRequest> h = harness()) {
            h.processElement(
                    new StreamRecord<>(reader.read(new RawMessage("t", 0, 1, 5L, utf8(body)))));

            assertThat(h.extractOutputValues()).hasSize(1);
            assertThat(deadLetters(h))
                    .singleElement()
                    .satisfies(d -> assertThat(d.reason).isEqualTo("clock_skew"));
        }
    }

    @Test
    void beyondTheKeyBudgetNewKeysAreFoldedIntoOverflowKeys() throws Exception {
        try (OneInputStreamOperatorTestHarness<ReadMessage, LlmRequest> h =
                new OneInputStreamOperatorTestHarness<>(
                        new RequestsFromMessages(100, 2, 3_600_000))) {
            h.open();
            for (int m = 0; m < 4; m++) {
                String model =
                        attr("gen_ai.request.model", "{\"stringValue\":\"model-" + m + "\"}");
                send(h, new RawMessage("t", 0, m, 5L, utf8(llmSpan(model))));
            }
            List<String> models = h.extractOutputValues().stream().map(r -> r.model).toList();
            assertThat(models)
                    .containsExactly("model-0", "model-1", "__overflow__", "__overflow__");
            assertThat(h.extractOutputValues())
                    .allSatisfy(r -> assertThat(r.service).isEqualTo("svc"));
        }
    }

    /**
     * GenAI metric points obey the same key budget: a delta point of a new key beyond it is folded
     * into the overflow key (series too); a cumulative one is refused, counted and reported in the
     * message's one dead letter (key_budget), since its running totals cannot be merged.
     */
    @Test
    void metricPointsBeyondTheKeyBudgetAreFoldedOrRefusedWithADeadLetter() throws Exception {
        try (OneInputStreamOperatorTestHarness<ReadMessage, LlmRequest> h =
                new OneInputStreamOperatorTestHarness<>(
                        new RequestsFromMessages(100, 2, 3_600_000))) {
            h.open();
            ReadMessage m = new ReadMessage();
            m.sourceTopic = "otlp_metrics";
            m.sourcePartition = 1;
            m.sourceOffset = 42;
            m.eventTimeMs = 1_000;
            m.requests = new LlmRequest[0];
            List<io.llmsentinel.functions.model.MetricPoint> points = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                var p = new io.llmsentinel.functions.model.MetricPoint();
                p.service = "svc";
                p.model = "random-" + i;
                p.provider = "openai";
                p.operation = "chat";
                p.kind = io.llmsentinel.functions.model.MetricPoint.Kind.DURATION;
                p.seriesId = "series-" + i;
                p.cumulative = i == 3; // the last new key is cumulative
                p.startTimeMs = 0;
                p.timeMs = 1_000;
                p.count = 5;
                points.add(p);
            }
            m.points = points.toArray(new io.llmsentinel.functions.model.MetricPoint[0]);
            h.processElement(new StreamRecord<>(m, 1_000));

            var out = h.getSideOutput(RequestsFromMessages.METRIC_POINTS);
            assertThat(out)
                    .extracting(r -> r.getValue().model + "/" + r.getValue().seriesId)
                    .containsExactly(
                            "random-0/series-0",
                            "random-1/series-1",
                            "__overflow__/svc\u001f__overflow__\u001f__overflow__\u001f__overflow__\u001fnull\u001fnull\u001fDURATION");
            assertThat(deadLetters(h))
                    .singleElement()
                    .satisfies(
                            d -> {
                                assertThat(d.reason).isEqualTo("key_budget");
                                assertThat(d.invalidCount).isEqualTo(1);
                                assertThat(d.sourceTopic).isEqualTo("otlp_metrics");
                                assertThat(d.sourceOffset).isEqualTo(42);
                                assertThat(d.detail).contains("keys.max-per-service");
                            });
        }
    }

    @Test
    void countsTheSpansThatAreNotModelCallsByReasonAndPassesToolExecutionsOn() throws Exception {
        String framework = attr("gen_ai.operation.name", "{\"stringValue\":\"framework\"}");
        String tool = attr("gen_ai.operation.name", "{\"stringValue\":\"execute_tool\"}");
        String http =
                spanObject("", 9)
                        .replace(
                                attr("gen_ai.system", "{\"stringValue\":\"openai\"}"),
                                attr("http.request.method", "{\"stringValue\":\"GET\"}"));
        String body =
                "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":["
                        + String.join(
                                ",",
                                spanObject("", 1),
                                spanObject(framework, 2),
                                spanObject(framework, 3),
                                spanObject(tool, 4),
                                http)
                        + "]}]}]}";
        try (OneInputStreamOperatorTestHarness<ReadMessage, LlmRequest> h = harness()) {
            send(h, new RawMessage("t", 0, 1, 5L, utf8(body)));

            assertThat(h.extractOutputValues())
                    .extracting(r -> r.kind)
                    .containsExactly(RequestKind.MODEL_CALL, RequestKind.TOOL_EXECUTION);
            var accumulators = h.getEnvironment().getAccumulatorRegistry().getUserMap();
            assertThat(accumulators.get(RequestsFromMessages.ACC_SKIPPED_SPANS).getLocalValue())
                    .isEqualTo(3L);
            assertThat(
                            accumulators
                                    .get(RequestsFromMessages.accSkippedSpans(SkipReason.FRAMEWORK))
                                    .getLocalValue())
                    .isEqualTo(2L);
            assertThat(
                            accumulators
                                    .get(RequestsFromMessages.accSkippedSpans(SkipReason.NOT_GENAI))
                                    .getLocalValue())
                    .isEqualTo(1L);
            assertThat(
                            accumulators
                                    .get(RequestsFromMessages.accSkippedSpans(SkipReason.AGENT))
                                    .getLocalValue())
                    .isEqualTo(0L);
        }
    }

    static String spanObject(String extraAttributes, int i) {
        return "{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"01020304050607"
                + String.format("%02x", i)
                + "\",\"startTimeUnixNano\":\"1764000000000000000\","
                + "\"endTimeUnixNano\":\"1764000001000000000\",\"attributes\":["
                + attr("gen_ai.system", "{\"stringValue\":\"openai\"}")
                + (extraAttributes.isEmpty() ? "" : "," + extraAttributes)
                + "]}";
    }

    static final int CAP = 64 * 1024;

    static final MessageReader READER =
            new MessageReader(
                    new OtlpTraceReader(PriceTable.empty(), MAX_BYTES, 256), new DeadLetters(CAP));

    private static void send(
            OneInputStreamOperatorTestHarness<ReadMessage, LlmRequest> h, RawMessage raw)
            throws Exception {
        h.processElement(new StreamRecord<>(READER.read(raw), raw.kafkaTimestampMs));
    }

    private static List<DeadLetter> deadLetters(
            OneInputStreamOperatorTestHarness<ReadMessage, LlmRequest> h) {
        var out = h.getSideOutput(RequestsFromMessages.DEAD_LETTERS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static OneInputStreamOperatorTestHarness<ReadMessage, LlmRequest> harness()
            throws Exception {
        var h =
                new OneInputStreamOperatorTestHarness<ReadMessage, LlmRequest>(
                        new RequestsFromMessages(10_000, 1_000, 3_600_000));
        h.open();
        return h;
    }
}

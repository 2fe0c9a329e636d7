package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RequestKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The checked-in corpus samples ({@code src/test/resources/corpus/<variant>}: spans that real
 * instrumentation libraries made, see devtools/corpus/README.md) through the job's trace reader
 * with the default key naming, counted against what the corpus generator did ({@code calls.json})
 * and against an independent count of the spans in the file by their names: one model-call request
 * per LLM call, one key per model, tool executions where the library emits them, every other span
 * skipped for its reason, nothing lost and nothing dead-lettered. A reader that took the AI SDK's
 * outer span, or Spring AI's wrappers, for a model call would count more requests than calls.
 *
 * <p>Expectations come from the sample's {@code calls.json}, never constants: a regenerated sample
 * changes every number and the test stays right.
 */
class CorpusSamplesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a span of the file is, told by its scope and name alone (not by the reader's rule). */
    private enum SpanRole {
        MODEL_CALL,
        TOOL,
        WRAPPER,
        APPLICATION,
        HTTP
    }

    /**
     * One variant of the corpus and what its library is known to do: whether it exports a span for
     * a failed call (OpenLLMetry and OpenInference never end the span of a call that failed), and
     * whether it emits tool executions (only the AI SDK: {@code ai.toolCall}).
     */
    enum Variant {
        OTEL("otel", true, false),
        OPENLLMETRY("openllmetry", false, false),
        OPENINFERENCE("openinference", false, false),
        AI_SDK("ai-sdk", true, true),
        SPRING_AI("spring-ai", true, false);

        final String dir;
        final boolean exportsFailedCalls;
        final boolean emitsToolSpans;

        Variant(String dir, boolean exportsFailedCalls, boolean emitsToolSpans) {
            this.dir = dir;
            this.exportsFailedCalls = exportsFailedCalls;
            this.emitsToolSpans = emitsToolSpans;
        }

        /** Independently of the reader: what this library's span of that scope and name is. */
        SpanRole role(String scope, String name) {
            if (scope.equals("corpus-app") || name.equals("assistant.answer")) {
                return SpanRole.APPLICATION;
            }
            switch (this) {
                case AI_SDK -> {
                    if (name.equals("ai.toolCall")) {
                        return SpanRole.TOOL;
                    }
                    if (name.endsWith(".doGenerate")
                            || name.endsWith(".doStream")
                            || name.endsWith(".doEmbed")) {
                        return SpanRole.MODEL_CALL;
                    }
                    if (List.of("ai.generateText", "ai.streamText", "ai.embed").contains(name)) {
                        return SpanRole.WRAPPER;
                    }
                }
                case SPRING_AI -> {
                    if (name.equals("http post")) {
                        return SpanRole.HTTP;
                    }
                    if (List.of("spring_ai chat_client", "call", "stream").contains(name)) {
                        return SpanRole.WRAPPER;
                    }
                    if (name.startsWith("chat ")) {
                        return SpanRole.MODEL_CALL;
                    }
                }
                case OPENINFERENCE -> {
                    if (name.equals("OpenAI Chat Completions")
                            || name.equals("OpenAI Embeddings")) {
                        return SpanRole.MODEL_CALL;
                    }
                }
                default -> {
                    if (name.startsWith("chat ") || name.startsWith("embeddings ")) {
                        return SpanRole.MODEL_CALL;
                    }
                }
            }
            throw new AssertionError(
                    dir + ": a span this test does not know (" + scope + " / " + name + ")");
        }
    }

    /** What the reader made of the whole sample, and the independent count of its spans. */
    private static final class Tally {
        final List<LlmRequest> modelCalls = new ArrayList<>();
        final List<LlmRequest> toolExecutions = new ArrayList<>();
        final Map<SkipReason, Integer> skipped = new TreeMap<>();
        final List<String> invalid = new ArrayList<>();
        final Map<SpanRole, Integer> roles = new TreeMap<>();
        int spans;

        int role(SpanRole r) {
            return roles.getOrDefault(r, 0);
        }

        int skipped(SkipReason r) {
            return skipped.getOrDefault(r, 0);
        }
    }

    private static JsonNode resource(Variant v, String file) throws IOException {
        try (InputStream in = stream(v, file)) {
            return JSON.readTree(in);
        }
    }

    private static InputStream stream(Variant v, String file) {
        InputStream in =
                CorpusSamplesTest.class.getResourceAsStream("/corpus/" + v.dir + "/" + file);
        assertThat(in).as("corpus sample " + v.dir + "/" + file).isNotNull();
        return in;
    }

    private static Tally read(Variant v, JsonNode calls) throws IOException {
        // The job's clock at the recorded run's end: the sample is never "from the future",
        // whatever the machine's date.
        long end = calls.get("end_ms").asLong();
        OtlpTraceReader reader =
                new OtlpTraceReader(
                        PriceTable.empty(),
                        4 << 20,
                        0,
                        OtlpTraceReader.DEFAULT_MAX_FUTURE_MS,
                        () -> end,
                        ModelNaming.DEFAULT);
        Tally t = new Tally();
        try (BufferedReader lines =
                new BufferedReader(
                        new InputStreamReader(stream(v, "spans.jsonl"), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                ReadResult r = reader.read(line.getBytes(StandardCharsets.UTF_8));
                for (LlmRequest q : r.requests()) {
                    (q.kind == RequestKind.TOOL_EXECUTION ? t.toolExecutions : t.modelCalls).add(q);
                }
                for (SkipReason s : SkipReason.values()) {
                    if (r.skipped(s) > 0) {
                        t.skipped.merge(s, r.skipped(s), Integer::sum);
                    }
                }
                r.invalid().forEach(i -> t.invalid.add(i.reason() + ": " + i.detail()));
                for (JsonNode rs : JSON.readTree(line).path("resourceSpans")) {
                    for (JsonNode ss : rs.path("scopeSpans")) {
                        String scope = ss.path("scope").path("name").asText();
                        for (JsonNode span : ss.path("spans")) {
                            t.spans++;
                            t.roles.merge(
                                    v.role(scope, span.path("name").asText()), 1, Integer::sum);
                        }
                    }
                }
            }
        }
        return t;
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void readsOneRequestPerModelCallAndNothingElse(Variant v) throws IOException {
        JsonNode calls = resource(v, "calls.json");
        Tally t = read(v, calls);

        long llmCalls = calls.get("llm_calls").asLong();
        long failed = calls.get("failed_calls").asLong();
        long expected = v.exportsFailedCalls ? llmCalls : llmCalls - failed;
        assertThat(llmCalls).as("the sample made calls").isPositive();
        assertThat(t.modelCalls)
                .as(v.dir + ": one request per model call the generator made")
                .hasSize((int) expected);
        assertThat(t.role(SpanRole.MODEL_CALL))
                .as(v.dir + ": model-call spans in the file")
                .isEqualTo((int) expected);
        assertThat(t.invalid).as(v.dir + ": nothing dead-lettered").isEmpty();
        // Nothing lost: every span of the file is a request or skipped.
        assertThat(
                        t.modelCalls.size()
                                + t.toolExecutions.size()
                                + t.skipped.values().stream().mapToInt(Integer::intValue).sum())
                .as(v.dir + ": every span read or skipped")
                .isEqualTo(t.spans);
        JsonNode export = calls.path("export");
        if (export.has("spans")) {
            assertThat(t.spans)
                    .as(v.dir + ": spans the receiver got")
                    .isEqualTo(export.get("spans").asInt());
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void failedCallsAreErrorsAndRateLimitsAreKnownWhereTheLibraryExportsThem(Variant v)
            throws IOException {
        JsonNode calls = resource(v, "calls.json");
        Tally t = read(v, calls);

        long errors = t.modelCalls.stream().filter(q -> q.error).count();
        long rateLimited = t.modelCalls.stream().filter(q -> q.rateLimited).count();
        if (v.exportsFailedCalls) {
            // A stream given up at the end may end "OK" (Spring AI): at most those are missing.
            long failed = calls.get("failed_calls").asLong();
            long aborted = calls.path("failed_by").path("aborted").asLong(0);
            assertThat(errors).isBetween(failed - aborted, failed);
            assertThat(rateLimited)
                    .isEqualTo(calls.path("failed_by").path("rate_limited").asLong(0));
        } else {
            assertThat(errors).as(v.dir + " exports no span of a failed call").isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void oneKeyPerServiceAndModelWithTheCallsOfCallsJson(Variant v) throws IOException {
        JsonNode calls = resource(v, "calls.json");
        Tally t = read(v, calls);

        // by_key names the model as the application asked for it (the alias); the default key
        // naming keys by that name too, so a streamed OpenInference call (named by the request)
        // and a whole one (named by the response's dated snapshot) share the key.
        Map<String, Long> expected = new TreeMap<>();
        for (JsonNode k : calls.get("by_key")) {
            long n = v.exportsFailedCalls ? k.get("calls").asLong() : k.get("ok").asLong();
            if (n > 0) {
                expected.merge(
                        k.get("service").asText() + "|" + k.get("model").asText(), n, Long::sum);
            }
        }
        Map<String, Long> read = new TreeMap<>();
        for (LlmRequest q : t.modelCalls) {
            read.merge(q.service + "|" + q.model, 1L, Long::sum);
        }
        assertThat(read).as(v.dir + ": requests per key").isEqualTo(expected);
        assertThat(t.modelCalls).allSatisfy(q -> assertThat(q.provider).isEqualTo("openai"));
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void toolExecutionsAreReadWhereTheLibraryEmitsThem(Variant v) throws IOException {
        JsonNode calls = resource(v, "calls.json");
        Tally t = read(v, calls);

        assertThat(t.toolExecutions).hasSize(t.role(SpanRole.TOOL));
        if (v.emitsToolSpans) {
            assertThat(t.toolExecutions)
                    .as(v.dir + ": one tool execution per tool run")
                    .hasSize(calls.get("tool_executions").asInt())
                    .isNotEmpty()
                    .allSatisfy(
                            q -> {
                                assertThat(q.model).isEqualTo("-");
                                assertThat(q.operation).isEqualTo("execute_tool");
                            });
            assertThat(t.toolExecutions.stream().filter(q -> q.error).count())
                    .isEqualTo(calls.get("tool_failures").asLong());
        } else {
            assertThat(t.toolExecutions).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void skipsWrappersAsFrameworkAndTheApplicationsSpansAsNotGenAi(Variant v) throws IOException {
        JsonNode calls = resource(v, "calls.json");
        Tally t = read(v, calls);

        assertThat(t.role(SpanRole.APPLICATION))
                .as(v.dir + ": the application's spans")
                .isPositive();
        assertThat(t.skipped(SkipReason.NOT_GENAI))
                .isEqualTo(t.role(SpanRole.APPLICATION) + t.role(SpanRole.HTTP));
        assertThat(t.skipped(SkipReason.FRAMEWORK)).isEqualTo(t.role(SpanRole.WRAPPER));
        assertThat(t.skipped.keySet()).isSubsetOf(SkipReason.NOT_GENAI, SkipReason.FRAMEWORK);
        switch (v) {
            case SPRING_AI ->
                    // a chat client span and an advisor span around every model call
                    assertThat(t.skipped(SkipReason.FRAMEWORK))
                            .isEqualTo(2 * calls.get("llm_calls").asInt());
            case AI_SDK ->
                    // one ai.generateText / ai.streamText / ai.embed per application call
                    assertThat(t.skipped(SkipReason.FRAMEWORK))
                            .isEqualTo(t.role(SpanRole.APPLICATION))
                            .isLessThan(t.modelCalls.size());
            default -> assertThat(t.skipped(SkipReason.FRAMEWORK)).isZero();
        }
    }
}

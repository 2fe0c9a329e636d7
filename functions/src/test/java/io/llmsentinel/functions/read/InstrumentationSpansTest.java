package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RequestKind;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Spans shaped as each instrumentation library writes them (attribute names, value types and the
 * values they set, read from the libraries' sources: {@code @opentelemetry/instrumentation-openai}
 * 0.21, {@code @traceloop/instrumentation-openai} 0.27 and 0.22, {@code
 * @arizeai/openinference-instrumentation-openai} 4.2, the AI SDK {@code ai} 6.0, Spring AI 1.1's
 * observation conventions bridged by Micrometer, whose every value is a string): one request per
 * model call, the wrappers skipped by reason, tool executions under a bounded key, and the fields
 * behind the LLM-specific signals.
 *
 * <p>Checked against real spans as well: the Spring AI 1.1.2 corpus sample of the corpus-jvm
 * branch ({@code functions/src/test/resources/corpus/spring-ai/spans.jsonl}: 77 model calls of
 * {@code calls.json} read as 77 requests, its 154 chat client and advisor spans skipped as {@code
 * framework}, its 18 streams without usage without tokens), and spans the four JavaScript
 * libraries made against a loopback fake server (OpenTelemetry JS, OpenLLMetry 0.27, OpenInference
 * 4.2, the AI SDK 6.0: one request per model call, the AI SDK's failed tool as a tool execution,
 * 429s rate-limited).
 */
class InstrumentationSpansTest {

    private final OtlpTraceReader reader =
            new OtlpTraceReader(
                    new PriceTable(Map.of("gpt-4o", new PriceTable.Price(2.5, 10.0))), 1 << 20, 0);

    // ---- OpenTelemetry JS (@opentelemetry/instrumentation-openai) ----

    @Test
    void openTelemetryJsChatWithItsFinishReasonsAndUsage() {
        LlmRequest r =
                only(
                        s -> {
                            s.setAttribute("gen_ai.operation.name", "chat");
                            s.setAttribute("gen_ai.request.model", "gpt-4o");
                            s.setAttribute("gen_ai.system", "openai");
                            s.setAttribute("gen_ai.response.id", "chatcmpl-1");
                            s.setAttribute("gen_ai.response.model", "gpt-4o-2024-08-06");
                            s.setAttribute(
                                    strings("gen_ai.response.finish_reasons"), List.of("length"));
                            s.setAttribute("gen_ai.usage.input_tokens", 812L);
                            s.setAttribute("gen_ai.usage.output_tokens", 1024L);
                        });

        assertThat(r.kind).isEqualTo(RequestKind.MODEL_CALL);
        assertThat(r.operation).isEqualTo("chat");
        assertThat(r.provider).isEqualTo("openai");
        assertThat(r.model).isEqualTo("gpt-4o");
        assertThat(r.requestModel).isEqualTo("gpt-4o");
        assertThat(r.responseModel).isEqualTo("gpt-4o-2024-08-06");
        assertThat(r.finishReason).isEqualTo("length");
        assertThat(r.inputTokens).isEqualTo(812);
        assertThat(r.outputTokens).isEqualTo(1024);
        assertThat(r.cachedInputTokens).isNaN();
        assertThat(r.error).isFalse();
        assertThat(r.rateLimited).isFalse();
    }

    @Test
    void openTelemetryJsRateLimitIsAnErrorAndARateLimit() {
        // the openai client's RateLimitError: its class name as error.type, its message as status
        LlmRequest r =
                only(
                        s -> {
                            s.setAttribute("gen_ai.operation.name", "chat");
                            s.setAttribute("gen_ai.request.model", "gpt-4o");
                            s.setAttribute("gen_ai.system", "openai");
                            s.setAttribute("error.type", "RateLimitError");
                            s.setStatus(StatusCode.ERROR, "429 Rate limit reached for gpt-4o");
                        });
        LlmRequest other =
                only(
                        s -> {
                            s.setAttribute("gen_ai.operation.name", "chat");
                            s.setAttribute("gen_ai.system", "openai");
                            s.setAttribute("error.type", "InternalServerError");
                            s.setStatus(StatusCode.ERROR, "500 Internal Server Error");
                        });

        assertThat(r.error).isTrue();
        assertThat(r.rateLimited).isTrue();
        assertThat(r.errorType).isEqualTo("RateLimitError");
        assertThat(other.error).isTrue();
        assertThat(other.rateLimited).isFalse();
    }

    @Test
    void openTelemetryJsEmbeddingsAreTheirOwnOperation() {
        LlmRequest r =
                only(
                        s -> {
                            s.setAttribute("gen_ai.operation.name", "embeddings");
                            s.setAttribute("gen_ai.request.model", "text-embedding-3-small");
                            s.setAttribute("gen_ai.system", "openai");
                            s.setAttribute("gen_ai.response.model", "text-embedding-3-small");
                            s.setAttribute("gen_ai.usage.input_tokens", 9L);
                        });

        assertThat(r.operation).isEqualTo("embeddings");
        assertThat(r.inputTokens).isEqualTo(9);
        assertThat(r.outputTokens).isNaN();
    }

    // ---- the current semantic conventions: agents and tools ----

    @Test
    void agentsAreSkippedAndToolsAreCountedUnderOneKeyPerService() {
        ReadResult r =
                read(
                        s -> {
                            s.setAttribute("gen_ai.operation.name", "invoke_agent");
                            s.setAttribute("gen_ai.provider.name", "openai");
                            s.setAttribute("gen_ai.agent.name", "support-agent");
                            s.setAttribute("gen_ai.request.model", "gpt-4o");
                        },
                        s -> {
                            s.setAttribute("gen_ai.operation.name", "execute_tool");
                            s.setAttribute("gen_ai.tool.name", "lookup_invoice");
                            s.setAttribute("gen_ai.tool.call.id", "call_81");
                            s.setAttribute("gen_ai.tool.type", "function");
                            s.setAttribute("error.type", "TimeoutError");
                            s.setStatus(StatusCode.ERROR, "lookup_invoice timed out");
                        },
                        s -> {
                            s.setAttribute("gen_ai.operation.name", "chat");
                            s.setAttribute("gen_ai.provider.name", "openai");
                            s.setAttribute("gen_ai.request.model", "gpt-4o");
                            s.setAttribute("gen_ai.usage.input_tokens", 2000L);
                            s.setAttribute("gen_ai.usage.cache_read.input_tokens", 1536L);
                        });

        assertThat(r.invalid()).isEmpty();
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(r.skipped(SkipReason.AGENT)).isEqualTo(1);
        assertThat(r.requests()).hasSize(2);
        LlmRequest tool = r.requests().get(0);
        assertThat(tool.kind).isEqualTo(RequestKind.TOOL_EXECUTION);
        assertThat(tool.operation).isEqualTo("execute_tool");
        assertThat(tool.model).isEqualTo("-");
        assertThat(tool.provider).isEqualTo("-");
        assertThat(tool.service).isEqualTo("svc");
        assertThat(tool.error).isTrue();
        assertThat(tool.errorType).isEqualTo("TimeoutError");
        assertThat(tool.latencyMs).isEqualTo(500);
        assertThat(tool.costUsd).isNaN();
        LlmRequest chat = r.requests().get(1);
        assertThat(chat.kind).isEqualTo(RequestKind.MODEL_CALL);
        assertThat(chat.cachedInputTokens).isEqualTo(1536);
    }

    @Test
    void aRateLimitShownOnlyByTheHttpStatusCounts() {
        LlmRequest r =
                only(
                        s -> {
                            s.setAttribute("gen_ai.operation.name", "chat");
                            s.setAttribute("gen_ai.provider.name", "openai");
                            s.setAttribute("http.response.status_code", 429L);
                        });

        assertThat(r.rateLimited).isTrue();
        assertThat(r.error).isTrue();
        assertThat(r.errorType).isEqualTo("rate_limited");
    }

    // ---- OpenLLMetry (@traceloop/instrumentation-openai) ----

    @Test
    void openLlmetryOfTodayMapsTheFinishReasonItself() {
        // 0.27: the conventions' names; tool_calls mapped to its own "tool_call"
        LlmRequest r =
                only(
                        s -> {
                            s.setAttribute("gen_ai.provider.name", "openai");
                            s.setAttribute("gen_ai.operation.name", "chat");
                            s.setAttribute("gen_ai.request.model", "gpt-4o-mini");
                            s.setAttribute("gen_ai.response.model", "gpt-4o-mini-2024-07-18");
                            s.setAttribute("gen_ai.usage.total_tokens", 60L);
                            s.setAttribute("gen_ai.usage.output_tokens", 20L);
                            s.setAttribute("gen_ai.usage.input_tokens", 40L);
                            s.setAttribute(
                                    strings("gen_ai.response.finish_reasons"),
                                    List.of("tool_call"));
                        });

        assertThat(r.model).isEqualTo("gpt-4o-mini");
        assertThat(r.finishReason).isEqualTo("tool_calls");
        assertThat(r.inputTokens).isEqualTo(40);
    }

    @Test
    void openLlmetryOfEarlierReleasesByItsRequestTypeAndCompletionAttributes() {
        // 0.22: llm.request.type, gen_ai.system, the deprecated token names, per-choice reasons
        ReadResult r =
                read(
                        s -> {
                            s.setAttribute("gen_ai.system", "openai");
                            s.setAttribute("llm.request.type", "chat");
                            s.setAttribute("gen_ai.request.model", "gpt-4o");
                            s.setAttribute("gen_ai.response.model", "gpt-4o-2024-08-06");
                            s.setAttribute("llm.usage.total_tokens", 1200L);
                            s.setAttribute("gen_ai.usage.completion_tokens", 1000L);
                            s.setAttribute("gen_ai.usage.prompt_tokens", 200L);
                            s.setAttribute("gen_ai.usage.cache_read_input_tokens", 128L);
                            s.setAttribute("gen_ai.completion.0.finish_reason", "length");
                        },
                        s -> {
                            s.setAttribute("traceloop.span.kind", "workflow");
                            s.setAttribute("traceloop.workflow.name", "answer_ticket");
                        },
                        s -> {
                            s.setAttribute("traceloop.span.kind", "tool");
                            s.setAttribute("traceloop.entity.name", "lookup_invoice");
                        });

        assertThat(r.skipped(SkipReason.CHAIN)).isEqualTo(1);
        assertThat(r.requests()).hasSize(2);
        LlmRequest chat = r.requests().get(0);
        assertThat(chat.operation).isEqualTo("chat");
        assertThat(chat.model).isEqualTo("gpt-4o");
        assertThat(chat.inputTokens).isEqualTo(200);
        assertThat(chat.outputTokens).isEqualTo(1000);
        assertThat(chat.cachedInputTokens).isEqualTo(128);
        assertThat(chat.finishReason).isEqualTo("length");
        assertThat(r.requests().get(1).kind).isEqualTo(RequestKind.TOOL_EXECUTION);
    }

    // ---- OpenInference (@arizeai/openinference-instrumentation-openai) ----

    @Test
    void openInferenceStreamedAndNonStreamedCallsShareOneKey() {
        // the request's body.model until a non-streamed response replaces llm.model_name
        Consumer<Span> nonStreamed =
                s -> {
                    openInferenceChat(s);
                    s.setAttribute("llm.model_name", "gpt-4o-2024-08-06");
                    s.setAttribute("llm.token_count.completion", 57L);
                    s.setAttribute("llm.token_count.prompt", 391L);
                    s.setAttribute("llm.token_count.total", 448L);
                    s.setAttribute("llm.token_count.prompt_details.cache_read", 256L);
                    s.setAttribute("llm.finish_reason", "stop");
                };
        Consumer<Span> streamed =
                s -> {
                    openInferenceChat(s);
                    s.setAttribute("llm.finish_reason", "content_filter");
                };

        ReadResult r = read(nonStreamed, streamed);

        assertThat(r.requests()).extracting(q -> q.model).containsExactly("gpt-4o", "gpt-4o");
        LlmRequest full = r.requests().get(0);
        assertThat(full.requestModel).isEqualTo("gpt-4o"); // from llm.invocation_parameters
        assertThat(full.responseModel).isEqualTo("gpt-4o-2024-08-06");
        assertThat(full.provider).isEqualTo("openai");
        assertThat(full.inputTokens).isEqualTo(391);
        assertThat(full.cachedInputTokens).isEqualTo(256);
        assertThat(full.finishReason).isEqualTo("stop");
        LlmRequest stream = r.requests().get(1);
        assertThat(stream.inputTokens).isNaN(); // OpenInference sends no usage for streams
        assertThat(stream.finishReason).isEqualTo("content_filter");

        // keyed by the response's name, the snapshot suffix still joins them; without it, not
        OtlpTraceReader byResponse = reader(ModelNaming.Preference.RESPONSE, true);
        assertThat(
                        byResponse
                                .read(SdkSpans.message("svc", specs(nonStreamed, streamed)))
                                .requests())
                .extracting(q -> q.model)
                .containsExactly("gpt-4o", "gpt-4o");
        OtlpTraceReader asSent = reader(ModelNaming.Preference.RESPONSE, false);
        assertThat(asSent.read(SdkSpans.message("svc", specs(nonStreamed, streamed))).requests())
                .extracting(q -> q.model)
                .containsExactly("gpt-4o-2024-08-06", "gpt-4o");
    }

    @Test
    void openInferenceKindsOtherThanLlmAndEmbeddingAreNotModelCalls() {
        ReadResult r =
                read(
                        s -> s.setAttribute("openinference.span.kind", "CHAIN"),
                        s -> s.setAttribute("openinference.span.kind", "RETRIEVER"),
                        s -> s.setAttribute("openinference.span.kind", "AGENT"),
                        s -> {
                            s.setAttribute("openinference.span.kind", "TOOL");
                            s.setAttribute("tool.name", "lookup_invoice");
                        },
                        s -> {
                            s.setAttribute("openinference.span.kind", "EMBEDDING");
                            s.setAttribute("embedding.model_name", "text-embedding-3-small");
                            s.setAttribute("llm.system", "openai");
                            s.setAttribute("llm.provider", "openai");
                            s.setAttribute("llm.token_count.prompt", 8L);
                        });

        assertThat(r.skipped(SkipReason.CHAIN)).isEqualTo(1);
        assertThat(r.skipped(SkipReason.RETRIEVER)).isEqualTo(1);
        assertThat(r.skipped(SkipReason.AGENT)).isEqualTo(1);
        assertThat(r.requests()).hasSize(2);
        assertThat(r.requests().get(0).kind).isEqualTo(RequestKind.TOOL_EXECUTION);
        LlmRequest embedding = r.requests().get(1);
        assertThat(embedding.operation).isEqualTo("embeddings");
        assertThat(embedding.model).isEqualTo("text-embedding-3-small");
        assertThat(embedding.inputTokens).isEqualTo(8);
    }

    // ---- the Vercel AI SDK (ai, experimental_telemetry) ----

    @Test
    void aiSdkInnerSpansAreTheModelCallsAndTheOuterOnesAreSkipped() {
        ReadResult r =
                read(
                        s -> {
                            // ai.streamText: the caller's view, with its own ai.usage.*
                            s.setAttribute("operation.name", "ai.streamText");
                            s.setAttribute("ai.operationId", "ai.streamText");
                            s.setAttribute("ai.model.provider", "openai.chat");
                            s.setAttribute("ai.model.id", "gpt-4o");
                            s.setAttribute("ai.response.finishReason", "length");
                            s.setAttribute("ai.usage.inputTokens", 30L);
                            s.setAttribute("ai.usage.outputTokens", 256L);
                        },
                        s -> {
                            s.setAttribute("operation.name", "ai.streamText.doStream");
                            s.setAttribute("ai.operationId", "ai.streamText.doStream");
                            s.setAttribute("ai.model.provider", "openai.chat");
                            s.setAttribute("ai.model.id", "gpt-4o");
                            s.setAttribute("gen_ai.system", "openai.chat");
                            s.setAttribute("gen_ai.request.model", "gpt-4o");
                            s.setAttribute("ai.response.msToFirstChunk", 183.4);
                            s.setAttribute("ai.response.finishReason", "length");
                            s.setAttribute("ai.response.model", "gpt-4o-2024-08-06");
                            s.setAttribute("ai.usage.inputTokens", 30L);
                            s.setAttribute("ai.usage.outputTokens", 256L);
                            s.setAttribute("ai.usage.cachedInputTokens", 0L);
                            s.setAttribute(
                                    strings("gen_ai.response.finish_reasons"), List.of("length"));
                            s.setAttribute("gen_ai.response.model", "gpt-4o-2024-08-06");
                            s.setAttribute("gen_ai.usage.input_tokens", 30L);
                            s.setAttribute("gen_ai.usage.output_tokens", 256L);
                        });

        assertThat(r.skipped(SkipReason.FRAMEWORK)).isEqualTo(1);
        LlmRequest call = r.requests().get(0);
        assertThat(r.requests()).hasSize(1);
        assertThat(call.operation).isEqualTo("chat");
        assertThat(call.provider).isEqualTo("openai"); // the AI SDK's openai.chat
        assertThat(call.model).isEqualTo("gpt-4o");
        assertThat(call.ttftMs).isEqualTo(183.4);
        assertThat(call.finishReason).isEqualTo("length");
        assertThat(call.cachedInputTokens).isZero();
        assertThat(call.outputTokens).isEqualTo(256);
    }

    @Test
    void aiSdkToolCallsAndEmbeddingsWithoutTheConventionsAttributes() {
        ReadResult r =
                read(
                        s -> {
                            s.setAttribute("ai.operationId", "ai.toolCall");
                            s.setAttribute("ai.toolCall.name", "weather");
                            s.setAttribute("ai.toolCall.id", "call_1");
                            s.setStatus(StatusCode.ERROR, "weather service unavailable");
                        },
                        s -> {
                            // doEmbed carries no gen_ai.* at all
                            s.setAttribute("ai.operationId", "ai.embed.doEmbed");
                            s.setAttribute("ai.model.provider", "openai.embedding");
                            s.setAttribute("ai.model.id", "text-embedding-3-small");
                            s.setAttribute("ai.usage.tokens", 5L);
                        });

        assertThat(r.requests()).hasSize(2);
        LlmRequest tool = r.requests().get(0);
        assertThat(tool.kind).isEqualTo(RequestKind.TOOL_EXECUTION);
        assertThat(tool.model).isEqualTo("-");
        assertThat(tool.error).isTrue();
        assertThat(tool.errorType).isEqualTo("weather service unavailable");
        LlmRequest embed = r.requests().get(1);
        assertThat(embed.operation).isEqualTo("embeddings");
        assertThat(embed.provider).isEqualTo("openai"); // openai.embedding
        assertThat(embed.model).isEqualTo("text-embedding-3-small");
        assertThat(embed.inputTokens).isEqualTo(5);
    }

    // ---- Spring AI 1.1 (Micrometer observations bridged to OpenTelemetry) ----

    @Test
    void springAiWrappersAreSkippedAndTheModelSpanReadAsItIs() {
        ReadResult r =
                read(
                        s -> {
                            s.setAttribute("gen_ai.operation.name", "framework");
                            s.setAttribute("gen_ai.system", "spring_ai");
                            s.setAttribute("spring.ai.kind", "chat_client");
                            s.setAttribute("spring.ai.chat.client.stream", "false");
                        },
                        s -> {
                            s.setAttribute("gen_ai.operation.name", "framework");
                            s.setAttribute("gen_ai.system", "spring_ai");
                            s.setAttribute("spring.ai.kind", "advisor");
                            s.setAttribute("spring.ai.advisor.name", "call");
                        },
                        this::springAiChat);

        assertThat(r.skipped()).isEqualTo(2);
        assertThat(r.skipped(SkipReason.FRAMEWORK)).isEqualTo(2);
        assertThat(r.requests()).hasSize(1);
        LlmRequest call = r.requests().get(0);
        assertThat(call.provider).isEqualTo("openai"); // not the wrappers' spring_ai
        assertThat(call.operation).isEqualTo("chat");
        assertThat(call.model).isEqualTo("gpt-4o-mini");
        assertThat(call.responseModel).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(call.inputTokens).isEqualTo(391);
        assertThat(call.outputTokens).isEqualTo(57);
        assertThat(call.finishReason).isEqualTo("stop");
        assertThat(call.ttftMs).isNaN();
    }

    @Test
    void springAiStreamWithoutUsageHasNoTokensRatherThanZero() {
        LlmRequest r =
                only(
                        s -> {
                            s.setAttribute("gen_ai.operation.name", "chat");
                            s.setAttribute("gen_ai.system", "openai");
                            s.setAttribute("gen_ai.request.model", "gpt-4o-mini");
                            s.setAttribute("gen_ai.response.model", "none");
                            s.setAttribute("gen_ai.request.stream", "true");
                            s.setAttribute("gen_ai.response.finish_reasons", "[\"LENGTH\"]");
                            s.setAttribute("gen_ai.usage.input_tokens", "0");
                            s.setAttribute("gen_ai.usage.output_tokens", "0");
                            s.setAttribute("gen_ai.usage.total_tokens", "0");
                        });

        assertThat(r.inputTokens).isNaN();
        assertThat(r.outputTokens).isNaN();
        assertThat(r.costUsd).isNaN();
        assertThat(r.responseModel).isNull(); // Spring AI's "none"
        assertThat(r.model).isEqualTo("gpt-4o-mini");
        assertThat(r.finishReason).isEqualTo("length");
    }

    @Test
    void springAiToolCallsEmbeddingsAndRateLimits() {
        ReadResult r =
                read(
                        s -> {
                            // 1.x: the tool's span says framework; its kind says tool_call
                            s.setAttribute("gen_ai.operation.name", "framework");
                            s.setAttribute("gen_ai.system", "spring_ai");
                            s.setAttribute("spring.ai.kind", "tool_call");
                            s.setAttribute("spring.ai.tool.definition.name", "lookupInvoice");
                        },
                        s -> {
                            s.setAttribute("gen_ai.operation.name", "embedding");
                            s.setAttribute("gen_ai.system", "openai");
                            s.setAttribute("gen_ai.request.model", "text-embedding-3-small");
                            s.setAttribute("gen_ai.usage.input_tokens", "12");
                            s.setAttribute("gen_ai.usage.total_tokens", "12");
                        },
                        s -> {
                            s.setAttribute("gen_ai.operation.name", "chat");
                            s.setAttribute("gen_ai.system", "openai");
                            s.setAttribute("gen_ai.request.model", "gpt-4o-mini");
                            s.setAttribute("gen_ai.response.model", "none");
                            s.setStatus(
                                    StatusCode.ERROR,
                                    "HTTP 429 - {\"error\":{\"message\":\"Rate limit reached\"}}");
                        });

        assertThat(r.requests()).hasSize(3);
        assertThat(r.requests().get(0).kind).isEqualTo(RequestKind.TOOL_EXECUTION);
        assertThat(r.requests().get(0).provider).isEqualTo("-");
        LlmRequest embedding = r.requests().get(1);
        assertThat(embedding.operation).isEqualTo("embeddings");
        assertThat(embedding.inputTokens).isEqualTo(12);
        LlmRequest limited = r.requests().get(2);
        assertThat(limited.error).isTrue();
        assertThat(limited.rateLimited).isTrue();
    }

    // ---- what is not an LLM call at all ----

    @Test
    void httpAndDatabaseSpansAreSkippedAsNotGenAiEvenWithErrors() {
        ReadResult r =
                read(
                        s -> {
                            s.setAttribute("http.request.method", "GET");
                            s.setAttribute("http.response.status_code", 429L);
                            s.setAttribute("error.type", "429");
                            s.setStatus(StatusCode.ERROR);
                        },
                        s -> {
                            s.setAttribute("db.system", "postgresql");
                            s.setAttribute("db.query.text", "select 1");
                        });

        assertThat(r.requests()).isEmpty();
        assertThat(r.invalid()).isEmpty();
        assertThat(r.skipped(SkipReason.NOT_GENAI)).isEqualTo(2);
    }

    private void springAiChat(Span s) {
        s.setAttribute("gen_ai.operation.name", "chat");
        s.setAttribute("gen_ai.system", "openai");
        s.setAttribute("gen_ai.request.model", "gpt-4o-mini");
        s.setAttribute("gen_ai.response.model", "gpt-4o-mini-2024-07-18");
        s.setAttribute("gen_ai.request.temperature", "0.7");
        s.setAttribute("gen_ai.response.id", "chatcmpl-9");
        s.setAttribute("gen_ai.response.finish_reasons", "[\"STOP\"]");
        s.setAttribute("gen_ai.usage.input_tokens", "391");
        s.setAttribute("gen_ai.usage.output_tokens", "57");
        s.setAttribute("gen_ai.usage.total_tokens", "448");
    }

    private static void openInferenceChat(Span s) {
        s.setAttribute("openinference.span.kind", "LLM");
        s.setAttribute("llm.model_name", "gpt-4o");
        s.setAttribute(
                "llm.invocation_parameters",
                "{\"model\":\"gpt-4o\",\"stream\":false,\"max_tokens\":512}");
        s.setAttribute("llm.system", "openai");
        s.setAttribute("llm.provider", "openai");
    }

    private static AttributeKey<List<String>> strings(String key) {
        return AttributeKey.stringArrayKey(key);
    }

    private OtlpTraceReader reader(ModelNaming.Preference preference, boolean strip) {
        return new OtlpTraceReader(
                PriceTable.empty(),
                1 << 20,
                0,
                OtlpTraceReader.DEFAULT_MAX_FUTURE_MS,
                () -> SdkSpans.START_NANOS / 1_000_000,
                new ModelNaming(preference, strip));
    }

    @SafeVarargs
    private static List<SdkSpans.SpanSpec> specs(Consumer<Span>... spans) {
        return java.util.Arrays.stream(spans).map(a -> new SdkSpans.SpanSpec(500, a)).toList();
    }

    @SafeVarargs
    private ReadResult read(Consumer<Span>... spans) {
        ReadResult r = reader.read(SdkSpans.message("svc", specs(spans)));
        assertThat(r.invalid()).isEmpty();
        assertThat(r.requests().size() + r.skipped()).isEqualTo(spans.length);
        return r;
    }

    private LlmRequest only(Consumer<Span> attributes) {
        ReadResult r = read(attributes);
        assertThat(r.requests()).hasSize(1);
        return r.requests().get(0);
    }

    @Test
    void ttftInSecondsWinsOverTheAiSdksMilliseconds() {
        LlmRequest r =
                only(
                        s -> {
                            s.setAttribute("gen_ai.system", "openai");
                            s.setAttribute("gen_ai.response.time_to_first_chunk", 0.25);
                            s.setAttribute("ai.response.msToFirstChunk", 999.0);
                        });
        assertThat(r.ttftMs).isCloseTo(250, within(1e-9));
    }
}

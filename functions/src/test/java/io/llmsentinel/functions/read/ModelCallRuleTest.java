package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.model.RequestKind;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rule's table, marker by marker; docs/detection.md ("What is a model call") lists it. */
class ModelCallRuleTest {

    /** marker attribute, its value, and what the span is ("chat", "tool", or a skip reason). */
    static Stream<Arguments> table() {
        return Stream.of(
                // the semantic conventions' gen_ai.operation.name
                Arguments.of("gen_ai.operation.name", "chat", "chat"),
                Arguments.of("gen_ai.operation.name", "text_completion", "text_completion"),
                Arguments.of("gen_ai.operation.name", "generate_content", "generate_content"),
                Arguments.of("gen_ai.operation.name", "completion", "completion"),
                Arguments.of("gen_ai.operation.name", "embeddings", "embeddings"),
                Arguments.of("gen_ai.operation.name", "embedding", "embeddings"), // Spring AI
                Arguments.of("gen_ai.operation.name", "execute_tool", "tool"),
                Arguments.of("gen_ai.operation.name", "invoke_agent", "agent"),
                Arguments.of("gen_ai.operation.name", "create_agent", "agent"),
                Arguments.of("gen_ai.operation.name", "framework", "framework"), // Spring AI
                Arguments.of("gen_ai.operation.name", "image", "other_operation"),
                Arguments.of("gen_ai.operation.name", "image_generation", "other_operation"),
                // OpenInference
                Arguments.of("openinference.span.kind", "LLM", "chat"),
                Arguments.of("openinference.span.kind", "EMBEDDING", "embeddings"),
                Arguments.of("openinference.span.kind", "TOOL", "tool"),
                Arguments.of("openinference.span.kind", "AGENT", "agent"),
                Arguments.of("openinference.span.kind", "CHAIN", "chain"),
                Arguments.of("openinference.span.kind", "PROMPT", "chain"),
                Arguments.of("openinference.span.kind", "RETRIEVER", "retriever"),
                Arguments.of("openinference.span.kind", "RERANKER", "reranker"),
                Arguments.of("openinference.span.kind", "GUARDRAIL", "guardrail"),
                Arguments.of("openinference.span.kind", "EVALUATOR", "evaluator"),
                Arguments.of("openinference.span.kind", "UNKNOWN", "other_operation"),
                // the Vercel AI SDK
                Arguments.of("ai.operationId", "ai.generateText.doGenerate", "chat"),
                Arguments.of("ai.operationId", "ai.streamText.doStream", "chat"),
                Arguments.of("ai.operationId", "ai.generateObject.doGenerate", "chat"),
                Arguments.of("ai.operationId", "ai.streamObject.doStream", "chat"),
                Arguments.of("ai.operationId", "ai.embed.doEmbed", "embeddings"),
                Arguments.of("ai.operationId", "ai.embedMany.doEmbed", "embeddings"),
                Arguments.of("ai.operationId", "ai.toolCall", "tool"),
                Arguments.of("ai.operationId", "ai.generateText", "framework"),
                Arguments.of("ai.operationId", "ai.streamText", "framework"),
                Arguments.of("ai.operationId", "ai.embed", "framework"),
                Arguments.of("ai.operationId", "ai.rerank.doRerank", "reranker"),
                // Spring AI's own kinds
                Arguments.of("spring.ai.kind", "tool_call", "tool"),
                Arguments.of("spring.ai.kind", "chat_client", "framework"),
                Arguments.of("spring.ai.kind", "advisor", "framework"),
                Arguments.of("spring.ai.kind", "vector_store", "retriever"),
                // OpenLLMetry before it took the conventions' operation name
                Arguments.of("llm.request.type", "chat", "chat"),
                Arguments.of("llm.request.type", "completion", "text_completion"),
                Arguments.of("llm.request.type", "embedding", "embeddings"),
                Arguments.of("llm.request.type", "rerank", "reranker"),
                Arguments.of("traceloop.span.kind", "tool", "tool"),
                Arguments.of("traceloop.span.kind", "agent", "agent"),
                Arguments.of("traceloop.span.kind", "workflow", "chain"),
                Arguments.of("traceloop.span.kind", "task", "chain"));
    }

    @ParameterizedTest(name = "{0} = {1}: {2}")
    @MethodSource("table")
    void classifiesEachMarker(String marker, String value, String expected) {
        ModelCallRule.Verdict v =
                ModelCallRule.classify(
                        marker.equals("gen_ai.operation.name") ? value : null,
                        marker.equals("openinference.span.kind") ? value : null,
                        marker.equals("ai.operationId") ? value : null,
                        marker.equals("spring.ai.kind") ? value : null,
                        marker.equals("llm.request.type") ? value : null,
                        marker.equals("traceloop.span.kind") ? value : null,
                        false);

        assertThat(describe(v)).isEqualTo(expected);
    }

    @Test
    void withoutMarkersGenAiAttributesMakeAChatAndNothingMakesAnHttpSpan() {
        assertThat(describe(ModelCallRule.classify(null, null, null, null, null, null, true)))
                .isEqualTo("chat");
        assertThat(describe(ModelCallRule.classify(null, null, null, null, null, null, false)))
                .isEqualTo("not_genai");
    }

    @Test
    void theMoreSpecificMarkerWins() {
        // Spring AI 1.x tool spans say gen_ai.operation.name = framework; their kind tells
        assertThat(
                        describe(
                                ModelCallRule.classify(
                                        "framework", null, null, "tool_call", null, null, true)))
                .isEqualTo("tool");
        // Spring AI's chat client: framework either way
        assertThat(
                        describe(
                                ModelCallRule.classify(
                                        "framework", null, null, "chat_client", null, null, true)))
                .isEqualTo("framework");
        // an unknown Spring AI kind leaves the decision to the operation name
        assertThat(
                        describe(
                                ModelCallRule.classify(
                                        "chat", null, null, "something_new", null, null, true)))
                .isEqualTo("chat");
        // an LLM span inside an OpenLLMetry workflow carries the workflow's name, not its kind;
        // a request type says more than a span kind
        assertThat(
                        describe(
                                ModelCallRule.classify(
                                        null, null, null, null, "chat", "workflow", true)))
                .isEqualTo("chat");
        // the AI SDK's id says more than the conventions' attributes its inner spans carry
        assertThat(
                        describe(
                                ModelCallRule.classify(
                                        null, null, "ai.streamText", null, null, null, true)))
                .isEqualTo("framework");
    }

    @Test
    void valuesAreMatchedWhateverTheirCase() {
        assertThat(describe(ModelCallRule.classify(null, "llm", null, null, null, null, true)))
                .isEqualTo("chat");
        assertThat(
                        describe(
                                ModelCallRule.classify(
                                        "Execute_Tool", null, null, null, null, null, true)))
                .isEqualTo("tool");
    }

    private static String describe(ModelCallRule.Verdict v) {
        if (v.isSkipped()) {
            assertThat(v.kind()).isNull();
            return v.skipped().code();
        }
        if (v.kind() == RequestKind.TOOL_EXECUTION) {
            assertThat(v.operation()).isEqualTo("execute_tool");
            return "tool";
        }
        return v.operation();
    }
}

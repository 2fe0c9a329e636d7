package io.llmsentinel.functions.read;

import io.llmsentinel.functions.model.RequestKind;
import java.util.List;

/**
 * The one rule that says whether a span is a call to a model, a tool execution, or something else
 * to skip, from the markers the instrumentation libraries put on their spans. Applied before
 * anything else of a span is built; the table is in docs/detection.md ("What is a model call").
 *
 * <p>The markers, most specific first:
 *
 * <ol>
 *   <li>the Vercel AI SDK's {@code ai.operationId}: the inner {@code ...doGenerate}/{@code
 *       ...doStream}/{@code ...doEmbed} spans are the model calls, {@code ai.toolCall} a tool
 *       execution, the outer {@code ai.generateText}/{@code ai.streamText}/... spans wrappers;
 *   <li>Spring AI's {@code spring.ai.kind}: {@code tool_call} is a tool execution, {@code
 *       chat_client} and {@code advisor} are wrappers (they also say {@code gen_ai.operation.name =
 *       framework}), {@code vector_store} a retrieval;
 *   <li>the semantic conventions' {@code gen_ai.operation.name}: {@code chat}, {@code
 *       text_completion}, {@code generate_content}, {@code completion} and {@code embeddings}
 *       (Spring AI: {@code embedding}) are model calls, {@code execute_tool} a tool execution,
 *       {@code invoke_agent}/{@code create_agent} agents, {@code framework} a wrapper, anything
 *       else skipped;
 *   <li>OpenInference's {@code openinference.span.kind}: {@code LLM} and {@code EMBEDDING} are
 *       model calls, {@code TOOL} a tool execution, the other kinds skipped;
 *   <li>OpenLLMetry's {@code llm.request.type} ({@code chat}, {@code completion}, {@code
 *       embedding}; {@code rerank} skipped) and {@code traceloop.span.kind} ({@code tool} a tool
 *       execution; {@code workflow}, {@code task}, {@code agent} skipped);
 *   <li>none of these but a {@code gen_ai.*} or {@code llm.*} attribute: a model call, operation
 *       {@code chat};
 *   <li>nothing at all: not a GenAI span.
 * </ol>
 */
public final class ModelCallRule {
    static final String OPERATION = "gen_ai.operation.name";
    static final String OPENINFERENCE_KIND = "openinference.span.kind";
    static final String AI_SDK_OPERATION = "ai.operationId";
    static final String SPRING_AI_KIND = "spring.ai.kind";
    static final String OPENLLMETRY_REQUEST_TYPE = "llm.request.type";
    static final String TRACELOOP_KIND = "traceloop.span.kind";

    /** The attributes whose values the rule reads. */
    static final List<String> MARKERS =
            List.of(
                    OPERATION,
                    OPENINFERENCE_KIND,
                    AI_SDK_OPERATION,
                    SPRING_AI_KIND,
                    OPENLLMETRY_REQUEST_TYPE,
                    TRACELOOP_KIND);

    /** What a span is: a request of some kind and operation, or skipped for a reason. */
    public record Verdict(RequestKind kind, String operation, SkipReason skipped) {
        public boolean isSkipped() {
            return skipped != null;
        }
    }

    static final String TOOL_OPERATION = "execute_tool";

    static final Verdict CHAT = model("chat");
    static final Verdict TEXT_COMPLETION = model("text_completion");
    static final Verdict GENERATE_CONTENT = model("generate_content");
    static final Verdict COMPLETION = model("completion");
    static final Verdict EMBEDDINGS = model("embeddings");
    static final Verdict TOOL = new Verdict(RequestKind.TOOL_EXECUTION, TOOL_OPERATION, null);

    private static final Verdict[] SKIPS = new Verdict[SkipReason.values().length];

    static {
        for (SkipReason r : SkipReason.values()) {
            SKIPS[r.ordinal()] = new Verdict(null, null, r);
        }
    }

    private ModelCallRule() {}

    private static Verdict model(String operation) {
        return new Verdict(RequestKind.MODEL_CALL, operation, null);
    }

    static Verdict skip(SkipReason reason) {
        return SKIPS[reason.ordinal()];
    }

    /**
     * The verdict for a span with these marker values (null when absent); {@code genAiAttributes}
     * says whether it has any {@code gen_ai.*} or {@code llm.*} attribute. Allocates nothing.
     */
    public static Verdict classify(
            String operation,
            String openInferenceKind,
            String aiSdkOperation,
            String springAiKind,
            String openLlmetryRequestType,
            String traceloopKind,
            boolean genAiAttributes) {
        if (aiSdkOperation != null) {
            return aiSdk(aiSdkOperation);
        }
        if (springAiKind != null) {
            Verdict v = springAi(springAiKind);
            if (v != null) {
                return v;
            }
        }
        if (operation != null) {
            return operation(operation);
        }
        if (openInferenceKind != null) {
            return openInference(openInferenceKind);
        }
        if (openLlmetryRequestType != null) {
            Verdict v = openLlmetryRequestType(openLlmetryRequestType);
            if (v != null) {
                return v;
            }
        }
        if (traceloopKind != null) {
            Verdict v = traceloop(traceloopKind);
            if (v != null) {
                return v;
            }
        }
        return genAiAttributes ? CHAT : skip(SkipReason.NOT_GENAI);
    }

    /** The semantic conventions' {@code gen_ai.operation.name} (and Spring AI's own values). */
    static Verdict operation(String op) {
        if (is(op, "chat")) {
            return CHAT;
        }
        if (is(op, "text_completion")) {
            return TEXT_COMPLETION;
        }
        if (is(op, "generate_content")) {
            return GENERATE_CONTENT;
        }
        if (is(op, "completion")) {
            return COMPLETION;
        }
        if (is(op, "embeddings") || is(op, "embedding")) {
            return EMBEDDINGS;
        }
        if (is(op, TOOL_OPERATION)) {
            return TOOL;
        }
        if (is(op, "invoke_agent") || is(op, "create_agent")) {
            return skip(SkipReason.AGENT);
        }
        if (is(op, "framework")) {
            return skip(SkipReason.FRAMEWORK);
        }
        return skip(SkipReason.OTHER_OPERATION);
    }

    private static Verdict openInference(String kind) {
        if (is(kind, "LLM")) {
            return CHAT;
        }
        if (is(kind, "EMBEDDING")) {
            return EMBEDDINGS;
        }
        if (is(kind, "TOOL")) {
            return TOOL;
        }
        if (is(kind, "AGENT")) {
            return skip(SkipReason.AGENT);
        }
        if (is(kind, "CHAIN") || is(kind, "PROMPT")) {
            return skip(SkipReason.CHAIN);
        }
        if (is(kind, "RETRIEVER")) {
            return skip(SkipReason.RETRIEVER);
        }
        if (is(kind, "RERANKER")) {
            return skip(SkipReason.RERANKER);
        }
        if (is(kind, "GUARDRAIL")) {
            return skip(SkipReason.GUARDRAIL);
        }
        if (is(kind, "EVALUATOR")) {
            return skip(SkipReason.EVALUATOR);
        }
        return skip(SkipReason.OTHER_OPERATION);
    }

    /** The AI SDK names its spans {@code ai.<function>} and {@code ai.<function>.do<Call>}. */
    private static Verdict aiSdk(String id) {
        if (id.endsWith(".doGenerate") || id.endsWith(".doStream")) {
            return CHAT;
        }
        if (id.endsWith(".doEmbed")) {
            return EMBEDDINGS;
        }
        if (is(id, "ai.toolCall")) {
            return TOOL;
        }
        if (id.startsWith("ai.rerank")) {
            return skip(SkipReason.RERANKER);
        }
        return skip(SkipReason.FRAMEWORK);
    }

    /** Null for a kind this rule does not know: the other markers decide. */
    private static Verdict springAi(String kind) {
        if (is(kind, "tool_call")) {
            return TOOL;
        }
        if (is(kind, "chat_client") || is(kind, "advisor")) {
            return skip(SkipReason.FRAMEWORK);
        }
        if (is(kind, "vector_store")) {
            return skip(SkipReason.RETRIEVER);
        }
        return null;
    }

    private static Verdict openLlmetryRequestType(String type) {
        if (is(type, "chat")) {
            return CHAT;
        }
        if (is(type, "completion")) {
            return TEXT_COMPLETION;
        }
        if (is(type, "embedding")) {
            return EMBEDDINGS;
        }
        if (is(type, "rerank")) {
            return skip(SkipReason.RERANKER);
        }
        return null;
    }

    private static Verdict traceloop(String kind) {
        if (is(kind, "tool")) {
            return TOOL;
        }
        if (is(kind, "agent")) {
            return skip(SkipReason.AGENT);
        }
        if (is(kind, "workflow") || is(kind, "task") || is(kind, "session")) {
            return skip(SkipReason.CHAIN);
        }
        return null;
    }

    private static boolean is(String value, String expected) {
        return value.equalsIgnoreCase(expected);
    }
}

package io.llmsentinel.functions.read;

/**
 * Why a span (or metric point) was read but not turned into a request: it is not a model call
 * ({@link ModelCallRule}). Counted per reason ({@code sentinel.skippedSpans.<reason>}), never an
 * error and never a key. The set is closed so the counters stay bounded whatever the spans say.
 */
public enum SkipReason {
    /** No GenAI attributes and no marker of an LLM library: HTTP, database, framework spans. */
    NOT_GENAI("not_genai"),
    /** An agent's own span ({@code invoke_agent}, {@code create_agent}, OpenInference AGENT). */
    AGENT("agent"),
    /**
     * A library's wrapper around a model call: Spring AI's chat client and advisor spans, the AI
     * SDK's {@code ai.generateText}/{@code ai.streamText} outer spans.
     */
    FRAMEWORK("framework"),
    /** A chain, workflow or task of the application (OpenInference CHAIN, OpenLLMetry workflow). */
    CHAIN("chain"),
    /** A retrieval or vector store query (OpenInference RETRIEVER, Spring AI vector_store). */
    RETRIEVER("retriever"),
    /** A reranking step (OpenInference RERANKER, OpenLLMetry rerank, the AI SDK's rerank). */
    RERANKER("reranker"),
    /** A guardrail check (OpenInference GUARDRAIL). */
    GUARDRAIL("guardrail"),
    /** An evaluation of an answer (OpenInference EVALUATOR). */
    EVALUATOR("evaluator"),
    /** Any other operation or span kind: image generation, speech, a value nobody documents. */
    OTHER_OPERATION("other_operation");

    private final String code;

    SkipReason(String code) {
        this.code = code;
    }

    /** The snake_case name used in metric names. */
    public String code() {
        return code;
    }
}

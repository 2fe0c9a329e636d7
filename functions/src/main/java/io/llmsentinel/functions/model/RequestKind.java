package io.llmsentinel.functions.model;

/**
 * What an {@link LlmRequest} stands for. Only model calls are judged per request and keyed by their
 * model; tool executions only feed the windows' tool failure share, under one bounded key per
 * service (model and provider {@code "-"}), so a tool's name never becomes a key.
 */
public enum RequestKind {
    /** A call to a model: chat, text completion, content generation, embeddings. */
    MODEL_CALL,
    /** A tool (function) an agent or framework executed between model calls. */
    TOOL_EXECUTION
}

package io.llmsentinel.functions.read;

/**
 * The attribute names read from spans, in order of preference: OpenTelemetry GenAI semantic
 * conventions first (current, then deprecated names), then OpenInference.
 */
final class GenAiAttributes {
    private GenAiAttributes() {}

    static final String[] PROVIDER = {
        "gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system"
    };
    static final String[] OPERATION = {"gen_ai.operation.name"};
    static final String[] MODEL = {
        "gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "llm.model"
    };
    static final String[] INPUT_TOKENS = {
        "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt"
    };
    static final String[] OUTPUT_TOKENS = {
        "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion"
    };

    /** Seconds. */
    static final String[] TTFT_SECONDS = {
        "gen_ai.response.time_to_first_chunk", "gen_ai.server.time_to_first_token"
    };

    static final String[] COST_USD = {"gen_ai.usage.cost", "llm.cost.total"};
    static final String ERROR_TYPE = "error.type";
    static final String[] PROMPT_TEXT = {"gen_ai.input.messages", "gen_ai.prompt", "input.value"};
    static final String[] COMPLETION_TEXT = {
        "gen_ai.output.messages", "gen_ai.completion", "output.value"
    };

    static final String SERVICE_NAME = "service.name";
    static final String[] ENVIRONMENT = {"deployment.environment.name", "deployment.environment"};
    static final String SERVICE_NAMESPACE = "service.namespace";

    /** A span is an LLM span when it carries an attribute with one of these prefixes. */
    static boolean isGenAiKey(String key) {
        return key.startsWith("gen_ai.") || key.startsWith("llm.");
    }
}

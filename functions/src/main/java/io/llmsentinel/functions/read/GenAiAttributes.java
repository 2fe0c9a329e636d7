package io.llmsentinel.functions.read;

import java.util.ArrayList;
import java.util.List;

/**
 * The span attributes the readers use, each field's names in order of preference: the OpenTelemetry
 * GenAI semantic conventions first (current, then deprecated names), then OpenInference ({@code
 * llm.*}), OpenLLMetry, the Vercel AI SDK ({@code ai.*}). Spring AI uses the semantic conventions'
 * names. Each name has an index into {@link AttributeValues}; every other attribute is skipped
 * unread.
 */
final class GenAiAttributes {
    private static final List<String> NAMES = new ArrayList<>();
    private static final List<Integer> TEXT = new ArrayList<>();

    private GenAiAttributes() {}

    // The markers of ModelCallRule.
    static final int OPERATION = one(ModelCallRule.OPERATION);
    static final int OPENINFERENCE_KIND = one(ModelCallRule.OPENINFERENCE_KIND);
    static final int AI_SDK_OPERATION = one(ModelCallRule.AI_SDK_OPERATION);
    static final int SPRING_AI_KIND = one(ModelCallRule.SPRING_AI_KIND);
    static final int OPENLLMETRY_REQUEST_TYPE = one(ModelCallRule.OPENLLMETRY_REQUEST_TYPE);
    static final int TRACELOOP_KIND = one(ModelCallRule.TRACELOOP_KIND);

    static final int[] PROVIDER =
            of(
                    "gen_ai.provider.name",
                    "gen_ai.system",
                    "llm.provider",
                    "llm.system",
                    "ai.model.provider");

    /**
     * The model the application asked for. OpenInference's {@code llm.model_name} is not one of
     * them: it holds the request's model until a non-streamed response replaces it with the
     * response's; its request model is in {@code llm.invocation_parameters}.
     */
    static final int[] REQUEST_MODEL =
            of(
                    "gen_ai.request.model",
                    "llm.request.model_name",
                    "embedding.model_name",
                    "ai.model.id");

    /** OpenInference's JSON of the request's parameters, {@code "model"} among them. */
    static final int INVOCATION_PARAMETERS = one("llm.invocation_parameters");

    static final int[] RESPONSE_MODEL =
            of(
                    "gen_ai.response.model",
                    "llm.response.model_name",
                    "llm.model_name",
                    "ai.response.model",
                    "llm.model");

    static final int[] INPUT_TOKENS =
            of(
                    "gen_ai.usage.input_tokens",
                    "gen_ai.usage.prompt_tokens",
                    "llm.token_count.prompt",
                    "ai.usage.inputTokens",
                    "ai.usage.promptTokens",
                    "ai.usage.tokens");

    static final int[] OUTPUT_TOKENS =
            of(
                    "gen_ai.usage.output_tokens",
                    "gen_ai.usage.completion_tokens",
                    "llm.token_count.completion",
                    "ai.usage.outputTokens",
                    "ai.usage.completionTokens");

    /** Input tokens read from the provider's prompt cache. */
    static final int[] CACHED_INPUT_TOKENS =
            of(
                    "gen_ai.usage.cache_read.input_tokens",
                    "gen_ai.usage.cache_read_input_tokens",
                    "gen_ai.usage.input_tokens.cached",
                    "llm.token_count.prompt_details.cache_read",
                    "ai.usage.cachedInputTokens",
                    "ai.usage.inputTokenDetails.cacheReadTokens");

    /** Seconds. */
    static final int[] TTFT_SECONDS =
            of("gen_ai.response.time_to_first_chunk", "gen_ai.server.time_to_first_token");

    /** Milliseconds: the AI SDK's streamed calls. */
    static final int[] TTFT_MS = of("ai.response.msToFirstChunk");

    static final int[] COST_USD = of("gen_ai.usage.cost", "llm.cost.total");

    /**
     * An array (the conventions), one string holding a list (Spring AI: {@code "[\"STOP\"]"}), or
     * one value (OpenInference, OpenLLMetry before it took the conventions' name, the AI SDK).
     */
    static final int[] FINISH_REASON =
            of(
                    "gen_ai.response.finish_reasons",
                    "llm.finish_reason",
                    "gen_ai.completion.0.finish_reason",
                    "ai.response.finishReason");

    static final int ERROR_TYPE = one("error.type");
    static final int[] HTTP_STATUS = of("http.response.status_code", "http.status_code");

    /** Prompt and completion text: only read when {@code inputs.max-text-chars} keeps it. */
    static final int[] PROMPT_TEXT = text("gen_ai.input.messages", "gen_ai.prompt", "input.value");

    static final int[] COMPLETION_TEXT =
            text("gen_ai.output.messages", "gen_ai.completion", "output.value");

    // Resource attributes.
    static final int SERVICE_NAME = one("service.name");
    static final int[] ENVIRONMENT = of("deployment.environment.name", "deployment.environment");
    static final int SERVICE_NAMESPACE = one("service.namespace");

    /** How many names there are: the size of {@link AttributeValues}' arrays. */
    static final int COUNT = NAMES.size();

    static final AttributeIndex INDEX = new AttributeIndex(NAMES);

    private static final boolean[] IS_TEXT = new boolean[COUNT];

    static {
        TEXT.forEach(i -> IS_TEXT[i] = true);
    }

    static String name(int index) {
        return NAMES.get(index);
    }

    static boolean isText(int index) {
        return IS_TEXT[index];
    }

    /**
     * A span is a GenAI span when it carries an attribute with one of these prefixes (besides the
     * markers of {@link ModelCallRule}).
     */
    static final List<String> GENAI_PREFIXES = List.of("gen_ai.", "llm.");

    static boolean isGenAiKey(char[] key, int offset, int length) {
        return startsWith(key, offset, length, "gen_ai.")
                || startsWith(key, offset, length, "llm.");
    }

    static boolean isGenAiKey(String key) {
        return key.startsWith("gen_ai.") || key.startsWith("llm.");
    }

    private static boolean startsWith(char[] key, int offset, int length, String prefix) {
        if (length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (key[offset + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int one(String name) {
        int i = NAMES.indexOf(name);
        if (i < 0) {
            NAMES.add(name);
            i = NAMES.size() - 1;
        }
        return i;
    }

    private static int[] of(String... names) {
        int[] out = new int[names.length];
        for (int k = 0; k < names.length; k++) {
            out[k] = one(names[k]);
        }
        return out;
    }

    private static int[] text(String... names) {
        int[] out = of(names);
        for (int i : out) {
            TEXT.add(i);
        }
        return out;
    }
}

package io.llmsentinel.functions.read;

import java.util.Locale;

/**
 * Why a model stopped, in one vocabulary whatever the library or provider said: {@code stop},
 * {@code length} (the token limit cut the answer), {@code content_filter} (a safety filter or a
 * refusal), {@code tool_calls} (the model asked for a tool); any other value lower-cased.
 */
final class FinishReasons {
    static final String STOP = "stop";
    static final String LENGTH = "length";
    static final String CONTENT_FILTER = "content_filter";
    static final String TOOL_CALLS = "tool_calls";

    /** Longer values are cut: they are labels, not text, and a span could send anything. */
    static final int MAX_CHARS = 64;

    private FinishReasons() {}

    /**
     * The first reason of what an attribute holds: a plain value ({@code "stop"}), the leaves of an
     * array joined by newlines, or Spring AI's single string holding a list ({@code "[\"STOP\"]"});
     * null when there is none.
     */
    static String first(String reported) {
        if (reported == null) {
            return null;
        }
        int start = 0;
        int n = reported.length();
        while (start < n && isDelimiter(reported.charAt(start))) {
            start++;
        }
        int end = start;
        while (end < n && !isDelimiter(reported.charAt(end)) && reported.charAt(end) != ',') {
            end++;
        }
        return end > start ? normalize(reported.substring(start, end)) : null;
    }

    private static boolean isDelimiter(char c) {
        return c == '[' || c == ']' || c == '"' || c == '\'' || c == '\n' || c == ' ';
    }

    /** One reason in the common vocabulary. */
    static String normalize(String reason) {
        String r = reason.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        if (r.isEmpty()) {
            return null;
        }
        return switch (r) {
            // OpenAI, AI SDK, Anthropic (end_turn, stop_sequence), Gemini (STOP), Bedrock
            case "stop", "end_turn", "stop_sequence", "complete", "completed" -> STOP;
            // max_tokens: Anthropic, Gemini MAX_TOKENS, Bedrock; max_output_tokens: Responses
            case "length", "max_tokens", "max_output_tokens", "model_length" -> LENGTH;
            // Gemini SAFETY/RECITATION/BLOCKLIST/PROHIBITED_CONTENT/SPII, Anthropic refusal,
            // Bedrock guardrail_intervened/content_filtered
            case "content_filter",
                    "content_filtered",
                    "safety",
                    "recitation",
                    "blocklist",
                    "prohibited_content",
                    "spii",
                    "refusal",
                    "guardrail_intervened" ->
                    CONTENT_FILTER;
            // OpenLLMetry tool_call, Anthropic/Bedrock tool_use, OpenAI's older function_call
            case "tool_calls", "tool_call", "tool_use", "function_call" -> TOOL_CALLS;
            default -> r.length() > MAX_CHARS ? r.substring(0, MAX_CHARS) : r;
        };
    }
}

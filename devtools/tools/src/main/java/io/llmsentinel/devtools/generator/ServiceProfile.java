package io.llmsentinel.devtools.generator;

import java.util.List;

/**
 * How one simulated LLM application behaves: its model, provider, operation, typical sizes and
 * speeds, error rate, which attribute convention its instrumentation writes, whether it reports
 * cost itself, and how its calls end ({@link CallHabits}). Medians with lognormal spread, as
 * measured request latencies are.
 */
record ServiceProfile(
        String service,
        String environment,
        String provider,
        String model,
        String operation,
        Convention convention,
        double medianInputTokens,
        double medianOutputTokens,
        double medianTtftMs,
        double medianTokensPerSecond,
        double errorRate,
        boolean reportsCost,
        double inputPricePerMillion,
        double outputPricePerMillion,
        double weight,
        CallHabits habits) {

    /** Which attribute names the instrumentation uses. */
    enum Convention {
        /** Current OpenTelemetry GenAI semantic conventions. */
        SEMCONV,
        /** Older GenAI names: gen_ai.system, prompt/completion tokens. */
        SEMCONV_LEGACY,
        /** OpenInference (Arize Phoenix and friends). */
        OPENINFERENCE
    }

    static List<ServiceProfile> defaults() {
        return List.of(
                new ServiceProfile(
                        "support-bot",
                        "production",
                        "openai",
                        "gpt-4o",
                        "chat",
                        Convention.SEMCONV,
                        800,
                        250,
                        380,
                        70,
                        0.01,
                        true,
                        2.50,
                        10.00,
                        3,
                        // a support agent looks orders up; OpenAI caches its long system prompt
                        new CallHabits(
                                0.01,
                                0.005,
                                0.6,
                                0.5,
                                0.02,
                                List.of("lookup_order", "search_help_center"))),
                new ServiceProfile(
                        "code-assistant",
                        "production",
                        "anthropic",
                        "claude-3-5-sonnet-20241022",
                        "chat",
                        Convention.SEMCONV_LEGACY,
                        2200,
                        600,
                        650,
                        55,
                        0.01,
                        false,
                        3.00,
                        15.00,
                        2,
                        // long code answers hit max_tokens; Anthropic's prompt cache holds the
                        // repository context; it runs tools (read files, run tests)
                        new CallHabits(
                                0.03,
                                0.001,
                                0.7,
                                0.5,
                                0.02,
                                List.of("read_file", "run_tests", "grep_repository"))),
                new ServiceProfile(
                        "search-summarizer",
                        "production",
                        "openai",
                        "gpt-4o-mini-2024-07-18",
                        "chat",
                        Convention.SEMCONV,
                        1500,
                        150,
                        240,
                        95,
                        0.02,
                        false,
                        0.15,
                        0.60,
                        2,
                        new CallHabits(0.02, 0.002, 0, 0, 0, List.of())),
                new ServiceProfile(
                        "rag-api",
                        "staging",
                        "aws.bedrock",
                        "meta.llama3-1-70b-instruct-v1:0",
                        "chat",
                        Convention.OPENINFERENCE,
                        1200,
                        300,
                        500,
                        45,
                        0.02,
                        true,
                        0.99,
                        0.99,
                        1,
                        new CallHabits(0.015, 0.003, 0, 0, 0, List.of())),
                new ServiceProfile(
                        "doc-indexer",
                        "production",
                        "openai",
                        "text-embedding-3-small",
                        "embeddings",
                        Convention.SEMCONV,
                        350,
                        0,
                        0,
                        0,
                        0.005,
                        false,
                        0.02,
                        0,
                        2,
                        CallHabits.NONE));
    }
}

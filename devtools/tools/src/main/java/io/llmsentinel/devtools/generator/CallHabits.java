package io.llmsentinel.devtools.generator;

import java.util.List;

/**
 * How a service's calls end in ordinary traffic, beyond latency and tokens: the small shares the
 * LLM-specific window metrics learn as their baseline (issue 20). A detector that has only ever
 * seen a share of zero learns nothing; real applications see a few truncated answers, a rare
 * content filter, a 429 now and then (the profile's error rate), a tool failing and a prompt cache
 * that hits for part of the input.
 *
 * @param truncated share of answers cut at the token limit (finish reason {@code length})
 * @param contentFiltered share of answers stopped by the provider's content filter
 * @param cacheHit share of calls whose prompt prefix is served from the provider's prompt cache; 0:
 *     the service reports no cached input tokens at all
 * @param toolUse share of requests in which the application also executes a tool
 * @param toolErrors share of tool executions that fail
 * @param tools the names of the tools it executes
 */
record CallHabits(
        double truncated,
        double contentFiltered,
        double cacheHit,
        double toolUse,
        double toolErrors,
        List<String> tools) {

    /** Embeddings end in no particular way and use no tools. */
    static final CallHabits NONE = new CallHabits(0, 0, 0, 0, 0, List.of());

    CallHabits {
        tools = List.copyOf(tools);
        if (toolUse > 0 && tools.isEmpty()) {
            throw new IllegalArgumentException("a service that uses tools names them");
        }
    }

    boolean caches() {
        return cacheHit > 0;
    }
}

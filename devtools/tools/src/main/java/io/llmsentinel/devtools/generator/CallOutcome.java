package io.llmsentinel.devtools.generator;

import java.util.Random;

/**
 * How one generated call ends beyond its latency and tokens: its finish reason, the share of its
 * input the provider served from the prompt cache, the tool the application executed before it (and
 * whether that failed), and whether the provider throttled it with a 429. Drawn from the service's
 * {@link CallHabits}, changed by an active incident of the LLM-specific kinds.
 *
 * <p>{@link #draw} takes the same count of numbers from its random stream whatever the outcome, and
 * the generator gives it a stream of its own (as the {@link HeavyTail} has): the rest of a seed's
 * traffic, call for call, is the same as before these outcomes existed, and an incident of these
 * kinds changes nothing but what it is about.
 *
 * @param finishReason {@code stop}, {@code length} or {@code content_filter}
 * @param cachedShare cached input tokens over input tokens; NaN when the service reports none
 * @param tool the tool executed before the call, or null
 * @param toolDraw the number that decides whether the tool fails ({@link #toolFails})
 * @param toolErrors the service's ordinary share of failing tool executions
 * @param toolMs how long the tool ran
 * @param throttled whether the provider refused the call for its rate limit (429)
 * @param throttledMs how long the refusal took
 */
record CallOutcome(
        String finishReason,
        double cachedShare,
        String tool,
        double toolDraw,
        double toolErrors,
        double toolMs,
        boolean throttled,
        double throttledMs) {

    /** Answers cut at the token limit during a truncation incident (a max_tokens set too low). */
    static final double TRUNCATED_IN_INCIDENT = 0.30;

    /** Answers filtered during a content-filter incident (a stricter policy, a jailbreak wave). */
    static final double FILTERED_IN_INCIDENT = 0.15;

    /** Calls refused with a 429 during a rate-limit incident (a quota cut, a noisy neighbour). */
    static final double THROTTLED_IN_INCIDENT = 0.30;

    /** Tool executions failing during a tool incident (a backend down, a changed tool schema). */
    static final double TOOL_ERRORS_IN_INCIDENT = 0.40;

    /**
     * Calls still hitting the prompt cache during a cache incident (a timestamp put at the head of
     * the system prompt makes every prefix new).
     */
    static final double CACHE_HITS_IN_INCIDENT = 0.03;

    /**
     * Whether the tool execution fails, by the incident active when it ran ({@code incident}, or
     * null): a tool runs before its model call, up to the call's latency earlier, and an incident
     * that starts between the two fails only the tools that ran after its start.
     */
    boolean toolFails(Incident.Type incident) {
        double errors =
                incident == Incident.Type.TOOL_FAILURES ? TOOL_ERRORS_IN_INCIDENT : toolErrors;
        return tool != null && toolDraw < errors;
    }

    static CallOutcome draw(CallHabits h, Incident.Type incident, Random random) {
        double finish = random.nextDouble();
        double hit = random.nextDouble();
        double cachedPart = random.nextDouble();
        double uses = random.nextDouble();
        double which = random.nextDouble();
        double fails = random.nextDouble();
        double toolSpread = random.nextGaussian();
        double refused = random.nextDouble();
        double refusalSpread = random.nextGaussian();

        double truncated =
                incident == Incident.Type.TRUNCATION ? TRUNCATED_IN_INCIDENT : h.truncated();
        double filtered =
                incident == Incident.Type.CONTENT_FILTER
                        ? FILTERED_IN_INCIDENT
                        : h.contentFiltered();
        String reason =
                finish < truncated
                        ? "length"
                        : finish < truncated + filtered ? "content_filter" : "stop";

        double cachedShare = Double.NaN;
        if (h.caches()) {
            double hits =
                    incident == Incident.Type.CACHE_MISS ? CACHE_HITS_IN_INCIDENT : h.cacheHit();
            // A hit serves the shared prefix (system prompt, context): most of the input, not all.
            cachedShare = hit < hits ? 0.6 + 0.3 * cachedPart : 0;
        }

        String tool = null;
        if (uses < h.toolUse()) {
            tool = h.tools().get(Math.min(h.tools().size() - 1, (int) (which * h.tools().size())));
        }
        // The ordinary 429s come from the profile's error rate; only the incident adds more.
        boolean throttled =
                incident == Incident.Type.RATE_LIMITED && refused < THROTTLED_IN_INCIDENT;
        return new CallOutcome(
                reason,
                cachedShare,
                tool,
                fails,
                h.toolErrors(),
                150 * Math.exp(0.6 * toolSpread),
                throttled,
                120 * Math.exp(0.4 * refusalSpread));
    }
}

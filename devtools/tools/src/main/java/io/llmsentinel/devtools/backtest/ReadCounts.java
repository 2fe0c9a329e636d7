package io.llmsentinel.devtools.backtest;

import io.llmsentinel.functions.read.InvalidReason;
import io.llmsentinel.functions.read.ReadResult;
import io.llmsentinel.functions.read.SkipReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What the job's reader made of a corpus, as its counters would say: messages, model calls, tool
 * executions, spans skipped by reason ({@code sentinel.skippedSpans.<reason>}), invalid spans by
 * reason and the messages that went to the dead-letter topic because of them, and the requests too
 * late for their window.
 */
final class ReadCounts {
    private long messages;
    private long modelCalls;
    private long toolExecutions;
    private long deadLettered;
    private long lateForWindows;
    private final Map<SkipReason, Long> skipped = new EnumMap<>(SkipReason.class);
    private final Map<InvalidReason, Long> invalid = new EnumMap<>(InvalidReason.class);

    /** Counts one message's result (its requests are counted by kind by the caller). */
    void add(ReadResult r) {
        messages++;
        for (SkipReason s : SkipReason.values()) {
            int n = r.skipped(s);
            if (n > 0) {
                skipped.merge(s, (long) n, Long::sum);
            }
        }
        for (ReadResult.Invalid i : r.invalid()) {
            invalid.merge(i.reason(), 1L, Long::sum);
        }
        if (!r.invalid().isEmpty()) {
            deadLettered++;
        }
    }

    void replayed(Replay replay) {
        modelCalls = replay.modelCalls();
        toolExecutions = replay.toolExecutions();
        lateForWindows = replay.lateForWindows();
    }

    long messages() {
        return messages;
    }

    long skipped(SkipReason reason) {
        return skipped.getOrDefault(reason, 0L);
    }

    long deadLettered() {
        return deadLettered;
    }

    /**
     * {@code requests=N tool_executions=T skipped=not_genai:N,framework:M dead_lettered=D
     * late_for_windows=L} (skipped {@code none} when nothing was; invalid spans by reason after the
     * dead letters when any).
     */
    String fields() {
        StringBuilder s = new StringBuilder();
        s.append("requests=").append(modelCalls);
        s.append(" tool_executions=").append(toolExecutions);
        s.append(" skipped=").append(joined(skipped));
        s.append(" dead_lettered=").append(deadLettered);
        if (!invalid.isEmpty()) {
            s.append(" invalid=").append(joined(invalid));
        }
        s.append(" late_for_windows=").append(lateForWindows);
        return s.toString();
    }

    private static String joined(Map<? extends Enum<?>, Long> counts) {
        if (counts.isEmpty()) {
            return "none";
        }
        StringJoiner j = new StringJoiner(",");
        counts.forEach((k, v) -> j.add(code(k) + ":" + v));
        return j.toString();
    }

    private static String code(Enum<?> e) {
        return e instanceof SkipReason s
                ? s.code()
                : e instanceof InvalidReason r ? r.code() : e.name();
    }
}

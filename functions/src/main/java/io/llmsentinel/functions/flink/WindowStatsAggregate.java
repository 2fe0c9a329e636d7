package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.WindowStats;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Counts a key's requests, errors and cost in an event-time window, incrementally. */
public class WindowStatsAggregate
        implements AggregateFunction<LlmRequest, WindowStats, WindowStats> {
    private static final long serialVersionUID = 1L;

    @Override
    public WindowStats createAccumulator() {
        return new WindowStats();
    }

    @Override
    public WindowStats add(LlmRequest r, WindowStats acc) {
        acc.add(r);
        return acc;
    }

    @Override
    public WindowStats getResult(WindowStats acc) {
        return acc;
    }

    @Override
    public WindowStats merge(WindowStats a, WindowStats b) {
        return a.merge(b);
    }
}

package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.model.WindowInput;
import io.llmsentinel.functions.model.WindowStats;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Counts a key's requests, errors, cost and tokens (and its metric intervals') in an event-time
 * window, incrementally.
 */
public class WindowStatsAggregate
        implements AggregateFunction<WindowInput, WindowStats, WindowStats> {
    private static final long serialVersionUID = 1L;

    @Override
    public WindowStats createAccumulator() {
        return new WindowStats();
    }

    @Override
    public WindowStats add(WindowInput in, WindowStats acc) {
        acc.add(in);
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

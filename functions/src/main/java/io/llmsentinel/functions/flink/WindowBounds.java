package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.model.WindowStats;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Stamps a window's counts with its key and the window's start and end. */
public class WindowBounds
        extends ProcessWindowFunction<WindowStats, WindowStats, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(
            String key, Context ctx, Iterable<WindowStats> counts, Collector<WindowStats> out) {
        for (WindowStats w : counts) {
            w.key = key;
            w.windowStartMs = ctx.window().getStart();
            w.windowEndMs = ctx.window().getEnd();
            out.collect(w);
        }
    }
}

package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.model.MetricPoint;
import io.llmsentinel.functions.model.WindowInput;
import io.llmsentinel.functions.read.MetricDeltas;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by metric series ({@link MetricPoint#seriesId}): turns each point into its interval ({@link
 * MetricDeltas}), keeping a cumulative series' last point in state (explicit serializer, expires
 * with {@code detection.state-ttl}), and hands the interval to the windowed metrics as a {@link
 * WindowInput}. Counts {@code sentinel.metricIntervals} and {@code sentinel.metricPointsIgnored}
 * (repeats, out of order, the first point of a long-running series).
 */
public class MetricDeltasFunction extends KeyedProcessFunction<String, MetricPoint, WindowInput> {
    private static final long serialVersionUID = 1L;

    public static final String STATE_NAME = "metric-series";

    private final long ttlMs;
    private transient ValueState<MetricDeltas.Last> last;
    private transient Counter intervals;
    private transient Counter ignored;

    public MetricDeltasFunction(long ttlMs) {
        this.ttlMs = ttlMs;
    }

    public static ValueStateDescriptor<MetricDeltas.Last> stateDescriptor(long ttlMs) {
        ValueStateDescriptor<MetricDeltas.Last> d =
                new ValueStateDescriptor<>(STATE_NAME, MetricSeriesSerializer.INSTANCE);
        if (ttlMs > 0) {
            d.enableTimeToLive(
                    StateTtlConfig.newBuilder(java.time.Duration.ofMillis(ttlMs))
                            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                            .build());
        }
        return d;
    }

    @Override
    public void open(OpenContext openContext) {
        last = getRuntimeContext().getState(stateDescriptor(ttlMs));
        var g = getRuntimeContext().getMetricGroup().addGroup("sentinel");
        intervals = g.counter("metricIntervals");
        ignored = g.counter("metricPointsIgnored");
    }

    @Override
    public void processElement(MetricPoint p, Context ctx, Collector<WindowInput> out)
            throws Exception {
        MetricDeltas.Step step = MetricDeltas.next(last.value(), p);
        if (p.cumulative && step.last() != null) {
            last.update(step.last());
        }
        if (step.interval() == null) {
            ignored.inc();
            return;
        }
        intervals.inc();
        out.collect(WindowInput.of(step.interval()));
    }
}

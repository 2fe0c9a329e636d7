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
 * Keyed by the lineage of a metric series ({@link #lineage}: the series, and for a cumulative one
 * its start time): turns each point into its interval ({@link MetricDeltas}), keeping a cumulative
 * lineage's last point in state (explicit serializer, expires with {@code detection.state-ttl}),
 * and hands the interval to the windowed metrics as a {@link WindowInput}. Counts {@code
 * sentinel.metricIntervals} and {@code sentinel.metricPointsIgnored} (repeats, out of order, the
 * first point of a long-running series).
 *
 * <p>Why the start time is part of the key: a cumulative series is the running totals of one
 * process since it started. Two replicas whose resource attributes are identical (no {@code
 * service.instance.id}) send one series with two start times, interleaved; a redelivered or late
 * point of a process that has since restarted carries the old start time. Keyed by series alone,
 * each such point looked like a restart of the other, and its totals were counted again (2,000
 * calls counted as 3,000). Keyed by lineage, each process's totals are differenced against its own
 * previous point, and a late point of an old process is a repeat of that process.
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

    /** The key: the series id, and for a cumulative series its start time. */
    public static String lineage(MetricPoint p) {
        return p.cumulative ? p.seriesId + '\u001f' + p.startTimeMs : p.seriesId;
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

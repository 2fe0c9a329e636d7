package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.incident.IncidentEvent;
import io.llmsentinel.functions.incident.IncidentGrouping;
import io.llmsentinel.functions.incident.IncidentState;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by incident group ({@link #groupKey}): turns alert changes into incident notifications
 * ({@link IncidentGrouping}). State ({@link IncidentStateSerializer}, explicit and versioned) only
 * while the group has an incident; one processing-time timer for the opening and the rate-limited
 * updates (group wait and interval are wall-clock waits, as in Alertmanager), re-armed lazily.
 * Metrics: {@code incidents.opened}, {@code updated}, {@code resolved}.
 */
public class IncidentFunction extends KeyedProcessFunction<String, AlertEvent, IncidentEvent> {
    private static final long serialVersionUID = 1L;

    public static final String STATE_NAME = "incident";

    private final IncidentGrouping grouping;
    private final long stateTtlMs;
    private transient ValueState<IncidentState> state;
    private transient Counter opened;
    private transient Counter updated;
    private transient Counter resolved;

    public IncidentFunction(IncidentGrouping grouping, long stateTtlMs) {
        this.grouping = grouping;
        this.stateTtlMs = stateTtlMs;
    }

    /**
     * What groups alerts into one incident: the environment and service, plus the model and the
     * provider when {@code alerts.group-by} names them.
     */
    public static String groupKey(AlertEvent e, boolean byModel, boolean byProvider) {
        return String.join(
                "\u001f",
                String.valueOf(e.environment),
                String.valueOf(e.service),
                byModel ? String.valueOf(e.model) : "*",
                byProvider ? String.valueOf(e.provider) : "*");
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<IncidentState> d =
                new ValueStateDescriptor<>(STATE_NAME, IncidentStateSerializer.INSTANCE);
        if (stateTtlMs > 0) {
            d.enableTimeToLive(
                    StateTtlConfig.newBuilder(Duration.ofMillis(stateTtlMs))
                            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                            .build());
        }
        state = getRuntimeContext().getState(d);
        MetricGroup g =
                getRuntimeContext().getMetricGroup().addGroup("sentinel").addGroup("incidents");
        opened = g.counter("opened");
        updated = g.counter("updated");
        resolved = g.counter("resolved");
    }

    @Override
    public void processElement(AlertEvent e, Context ctx, Collector<IncidentEvent> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        IncidentGrouping.Step step = grouping.onAlert(state.value(), e, now);
        emit(step.send(), out);
        keep(step.state(), ctx);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<IncidentEvent> out)
            throws Exception {
        IncidentState st = state.value();
        if (st == null) {
            return;
        }
        if (timestamp >= st.timerAtMs) {
            st.timerAtMs = 0; // this was the timer kept in state
        }
        emit(grouping.onTime(st, timestamp), out);
        keep(st, ctx);
    }

    private void keep(IncidentState st, Context ctx) throws Exception {
        if (st == null) {
            state.clear();
            return;
        }
        long due = grouping.nextTimer(st);
        if (due != Long.MAX_VALUE && (st.timerAtMs == 0 || due < st.timerAtMs)) {
            st.timerAtMs = due;
            ctx.timerService().registerProcessingTimeTimer(due);
        }
        state.update(st);
    }

    private void emit(List<IncidentEvent> events, Collector<IncidentEvent> out) {
        for (IncidentEvent e : events) {
            switch (e.state) {
                case OPENED -> opened.inc();
                case UPDATED -> updated.inc();
                case RESOLVED -> resolved.inc();
            }
            out.collect(e);
        }
    }
}

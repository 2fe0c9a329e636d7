package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.alert.AlertPolicy;
import io.llmsentinel.functions.alert.AlertState;
import io.llmsentinel.functions.anomaly.Anomaly;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by (key, metric): lets {@link AlertPolicy} decide which anomalies interrupt a person, and
 * resolves open alerts on an event-time timer. State exists only while an alert is open ({@link
 * AlertStateSerializer}, explicit and versioned). The timer is set when an alert opens and, if
 * anomalies came meanwhile, set again for the later time when it fires, so a storm of anomalies
 * costs no timer churn. Metrics: {@code alerts.opened}, {@code escalated}, {@code resolved}, {@code
 * repeats} (held back), {@code ignored} (anomalies that opened nothing).
 *
 * <p>It runs in the operator slot of 0.2's alert deduplicator (the same uid), so a 0.2 savepoint
 * maps; the deduplicator's short-lived state there is not read.
 */
public class AlertPolicyFunction extends KeyedProcessFunction<String, Anomaly, AlertEvent> {
    private static final long serialVersionUID = 1L;

    public static final String STATE_NAME = "alert-policy";

    private final AlertPolicy policy;
    private final long stateTtlMs;
    private transient ValueState<AlertState> state;
    private transient Counter opened;
    private transient Counter escalated;
    private transient Counter resolved;
    private transient Counter repeats;
    private transient Counter ignored;

    public AlertPolicyFunction(AlertPolicy policy, long stateTtlMs) {
        this.policy = policy;
        this.stateTtlMs = stateTtlMs;
    }

    /** Alerts are per key and metric, whatever the anomaly type. */
    public static String alertKey(Anomaly a) {
        return String.join(
                "\u001f",
                String.valueOf(a.service),
                String.valueOf(a.model),
                String.valueOf(a.provider),
                String.valueOf(a.operation),
                String.valueOf(a.environment),
                String.valueOf(a.namespace),
                a.metric);
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<AlertState> d =
                new ValueStateDescriptor<>(STATE_NAME, AlertStateSerializer.INSTANCE);
        if (stateTtlMs > 0) {
            d.enableTimeToLive(
                    StateTtlConfig.newBuilder(Duration.ofMillis(stateTtlMs))
                            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                            .build());
        }
        state = getRuntimeContext().getState(d);
        MetricGroup alerts =
                getRuntimeContext().getMetricGroup().addGroup("sentinel").addGroup("alerts");
        opened = alerts.counter("opened");
        escalated = alerts.counter("escalated");
        resolved = alerts.counter("resolved");
        repeats = alerts.counter("repeats");
        ignored = alerts.counter("ignored");
    }

    @Override
    public void processElement(Anomaly a, Context ctx, Collector<AlertEvent> out) throws Exception {
        AlertState before = state.value();
        AlertPolicy.Decision d = policy.onAnomaly(before, a);
        if (d.state() == null) {
            ignored.inc();
            return;
        }
        state.update(d.state());
        AlertEvent e = d.event();
        if (e == null) {
            repeats.inc();
            return;
        }
        if (e.state == AlertEvent.State.OPENED) {
            opened.inc();
            ctx.timerService().registerEventTimeTimer(policy.resolvesAt(d.state()));
        } else {
            escalated.inc();
        }
        out.collect(e);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out)
            throws Exception {
        AlertState open = state.value();
        if (open == null) {
            return;
        }
        AlertEvent e = policy.onTime(open, timestamp);
        if (e == null) {
            ctx.timerService().registerEventTimeTimer(policy.resolvesAt(open));
            return;
        }
        state.clear();
        resolved.inc();
        out.collect(e);
    }
}

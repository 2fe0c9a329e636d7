package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.alert.AlertDeduplicator;
import io.llmsentinel.functions.anomaly.Anomaly;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by (key, metric, anomaly type): lets {@link AlertDeduplicator} decide which anomalies
 * become alerts. State is Flink's own long-array serializer (three numbers, no Kryo) with a TTL of
 * a few windows, so quiet keys leave no state behind. Metrics: alerts.sent, alerts.suppressed.
 */
public class AlertDeduplicationFunction extends KeyedProcessFunction<String, Anomaly, Anomaly> {
    private static final long serialVersionUID = 1L;

    public static final String STATE_NAME = "alert-dedup";

    private final long windowMs;
    private transient AlertDeduplicator deduplicator;
    private transient ValueState<long[]> state;
    private transient Counter sent;
    private transient Counter suppressed;

    public AlertDeduplicationFunction(long windowMs) {
        this.windowMs = windowMs;
    }

    /** Anomalies of the same key, metric and type are deduplicated together. */
    public static String dedupKey(Anomaly a) {
        return String.join(
                "\u001f",
                String.valueOf(a.service),
                String.valueOf(a.model),
                String.valueOf(a.provider),
                String.valueOf(a.operation),
                String.valueOf(a.environment),
                String.valueOf(a.namespace),
                a.metric,
                a.anomalyType);
    }

    @Override
    public void open(OpenContext openContext) {
        deduplicator = new AlertDeduplicator(windowMs);
        ValueStateDescriptor<long[]> d =
                new ValueStateDescriptor<>(
                        STATE_NAME, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
        d.enableTimeToLive(
                StateTtlConfig.newBuilder(Duration.ofMillis(Math.max(windowMs * 4, 3_600_000)))
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build());
        state = getRuntimeContext().getState(d);
        MetricGroup alerts =
                getRuntimeContext().getMetricGroup().addGroup("sentinel").addGroup("alerts");
        sent = alerts.counter("sent");
        suppressed = alerts.counter("suppressed");
    }

    @Override
    public void processElement(Anomaly a, Context ctx, Collector<Anomaly> out) throws Exception {
        long[] s = state.value();
        if (s == null) {
            s = AlertDeduplicator.newState();
        }
        boolean admit = deduplicator.admit(s, a);
        state.update(s);
        if (admit) {
            sent.inc();
            out.collect(a);
        } else {
            suppressed.inc();
        }
    }
}

package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.alert.QuietStart;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.control.ControlState;
import io.llmsentinel.functions.control.RuleCache;
import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.detect.RequestDetector;
import io.llmsentinel.functions.model.BaselineSnapshot;
import io.llmsentinel.functions.model.LlmRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The keyed detection step for per-request metrics: per key, loads the learned baselines from keyed
 * state (one small value, one read and one write per request), lets {@link RequestDetector} judge
 * and learn, and emits the anomalies. Keys that go quiet for the state TTL are forgotten.
 */
public class AnomalyDetectionFunction
        extends KeyedBroadcastProcessFunction<String, LlmRequest, String, Anomaly> {
    private static final long serialVersionUID = 1L;

    public static final String STATE_NAME = "key-baseline";

    /** Live baselines, every {@link DetectionSettings#baselineEvery()} values of a metric. */
    public static final OutputTag<BaselineSnapshot> BASELINES =
            new OutputTag<>("baselines", TypeInformation.of(BaselineSnapshot.class));

    private final DetectionSettings settings;
    private final QuietStart quietStart;
    private final KeyBaselineSerializer serializer;
    private transient RuleCache<RequestDetector> detectors;
    private transient ControlState control;
    private transient Counter frozen;
    private transient ValueState<KeyBaseline> baselines;
    private transient Counter requests;
    private transient AnomalyCounters anomalies;
    private transient List<BaselineSnapshot> snapshots;

    public AnomalyDetectionFunction(DetectionSettings settings, QuietStart quietStart) {
        this(settings, quietStart, KeyBaselineSerializer.INSTANCE);
    }

    /** With another state serializer: for compatibility tests only. */
    AnomalyDetectionFunction(
            DetectionSettings settings, QuietStart quietStart, KeyBaselineSerializer serializer) {
        this.settings = settings;
        this.quietStart = quietStart;
        this.serializer = serializer;
    }

    /** The keyed state of both detection functions: versioned serializer, TTL for quiet keys. */
    public static ValueStateDescriptor<KeyBaseline> stateDescriptor(String name, long ttlMs) {
        return stateDescriptor(name, ttlMs, KeyBaselineSerializer.INSTANCE);
    }

    static ValueStateDescriptor<KeyBaseline> stateDescriptor(
            String name, long ttlMs, KeyBaselineSerializer serializer) {
        ValueStateDescriptor<KeyBaseline> d = new ValueStateDescriptor<>(name, serializer);
        if (ttlMs > 0) {
            d.enableTimeToLive(
                    StateTtlConfig.newBuilder(Duration.ofMillis(ttlMs))
                            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                            .build());
        }
        return d;
    }

    @Override
    public void open(OpenContext openContext) {
        detectors = new RuleCache<>(settings, settings.requestMetrics(), RequestDetector::new);
        baselines =
                getRuntimeContext()
                        .getState(stateDescriptor(STATE_NAME, settings.stateTtlMs(), serializer));
        requests =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("sentinel")
                        .counter("requestsEvaluated");
        frozen =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("sentinel")
                        .counter("requestsInMaintenance");
        anomalies = new AnomalyCounters(getRuntimeContext().getMetricGroup());
        snapshots = new ArrayList<>(4);
    }

    @Override
    public void processElement(LlmRequest r, ReadOnlyContext ctx, Collector<Anomaly> out)
            throws Exception {
        requests.inc();
        if (control == null) {
            control =
                    ControlBroadcast.rebuild(
                            ctx.getBroadcastState(ControlBroadcast.STATE),
                            ctx.currentProcessingTime());
        }
        long now = ctx.timerService().currentProcessingTime();
        control.expireIfDue(now);
        RequestDetector detector =
                detectors.forKey(
                        control, r.service, r.model, r.provider, r.operation, r.environment, now);
        KeyBaseline stored = baselines.value();
        if (stored == null) {
            stored = new KeyBaseline();
        }
        stored.seen(r.eventTimeMs);
        // In a maintenance window the values are judged, but the baselines do not learn them.
        boolean maintenance =
                control.hasMaintenance()
                        && control.inMaintenance(
                                r.service, r.model, r.provider, r.operation, r.environment, now);
        KeyBaseline baseline = maintenance ? serializer.copy(stored) : stored;
        snapshots.clear();
        List<Anomaly> found =
                detector.observe(
                        baseline, r, now, maintenance ? 0 : settings.baselineEvery(), snapshots);
        if (maintenance) {
            frozen.inc();
            stored.lastEventTimeMs = baseline.lastEventTimeMs;
        }
        baselines.update(stored);
        quietStart.mark(found, stored.firstEventTimeMs);
        for (BaselineSnapshot s : snapshots) {
            ctx.output(BASELINES, s);
        }
        for (Anomaly a : found) {
            anomalies.count(a);
            out.collect(a);
        }
    }

    @Override
    public void processBroadcastElement(String json, Context ctx, Collector<Anomaly> out)
            throws Exception {
        control =
                ControlBroadcast.follow(
                        control,
                        ctx.getBroadcastState(ControlBroadcast.STATE),
                        json,
                        ctx.currentProcessingTime());
    }
}

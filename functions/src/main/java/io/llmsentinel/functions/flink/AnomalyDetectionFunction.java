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
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The keyed detection step for per-request metrics: per key, loads the learned baselines from keyed
 * state (one small value, one read and one write per request), lets {@link RequestDetector} judge
 * and learn, and emits the anomalies. Keys that go quiet for the state TTL are forgotten.
 *
 * <p>The same input gives the same answer in any order. Live requests are judged as they arrive:
 * they come in event-time order but for the exporters' batching. A backlog (requests further behind
 * the clock than {@code event-time.catch-up-lag}: a first start from the earliest offsets, catching
 * up after downtime) arrives from several partitions read at different speeds, so one key's early
 * and late requests would meet in any order and the baselines, the verdicts and the alerts would
 * depend on it. Such requests wait in keyed state until the watermark passes them and are then
 * judged in event-time order (ties by trace and span id). What it costs: while catching up, the
 * allowed disorder ({@code event-time.max-out-of-orderness}) of event time, and the backlog between
 * the watermark and the newest request per key in state (watermark alignment of the sources keeps
 * that bounded); nothing for live traffic.
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
    private final long catchUpLagMs;
    private final KeyBaselineSerializer serializer;
    private transient RuleCache<RequestDetector> detectors;
    private transient ControlState control;
    private transient Counter frozen;
    private transient ValueState<KeyBaseline> baselines;
    private transient Counter requests;
    private transient AnomalyCounters anomalies;
    private transient List<BaselineSnapshot> snapshots;
    private transient MapState<Long, List<LlmRequest>> backlog;
    private transient Counter ordered;
    private transient org.apache.flink.api.common.accumulators.LongCounter lateTotal;

    /**
     * Accumulator: backlog requests that arrived behind the watermark (judged in arrival order).
     */
    public static final String ACC_BACKLOG_LATE = "sentinel.backlogBehindWatermark";

    public AnomalyDetectionFunction(DetectionSettings settings, QuietStart quietStart) {
        this(settings, quietStart, 0, KeyBaselineSerializer.INSTANCE);
    }

    /**
     * @param catchUpLagMs requests further behind the clock than this are a backlog, judged per key
     *     in event-time order once the watermark passes them (0: always in arrival order)
     */
    public AnomalyDetectionFunction(
            DetectionSettings settings, QuietStart quietStart, long catchUpLagMs) {
        this(settings, quietStart, catchUpLagMs, KeyBaselineSerializer.INSTANCE);
    }

    /** With another state serializer: for compatibility tests only. */
    AnomalyDetectionFunction(
            DetectionSettings settings,
            QuietStart quietStart,
            long catchUpLagMs,
            KeyBaselineSerializer serializer) {
        this.settings = settings;
        this.quietStart = quietStart;
        this.catchUpLagMs = catchUpLagMs;
        this.serializer = serializer;
    }

    /** A key's backlog: requests by event time, waiting for the watermark. */
    public static final String BACKLOG_STATE = "backlog-by-event-time";

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
        backlog =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        BACKLOG_STATE,
                                        LongSerializer.INSTANCE,
                                        new ListSerializer<>(LlmRequestSerializer.INSTANCE)));
        ordered =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("sentinel")
                        .counter("requestsOrderedByEventTime");
        lateTotal = new org.apache.flink.api.common.accumulators.LongCounter();
        getRuntimeContext().addAccumulator(ACC_BACKLOG_LATE, lateTotal);
    }

    @Override
    public void processElement(LlmRequest r, ReadOnlyContext ctx, Collector<Anomaly> out)
            throws Exception {
        requests.inc();
        long now = ctx.timerService().currentProcessingTime();
        if (catchUpLagMs > 0
                && r.eventTimeMs < now - catchUpLagMs
                && r.eventTimeMs > ctx.timerService().currentWatermark()) {
            // A backlog: judged in event-time order once the watermark has passed it.
            List<LlmRequest> at = backlog.get(r.eventTimeMs);
            if (at == null) {
                at = new ArrayList<>(1);
                ctx.timerService().registerEventTimeTimer(r.eventTimeMs);
            }
            at.add(r);
            backlog.put(r.eventTimeMs, at);
            ordered.inc();
            return;
        }
        if (catchUpLagMs > 0 && r.eventTimeMs < now - catchUpLagMs) {
            lateTotal.add(1); // a backlog request behind the watermark: judged as it comes
        }
        judge(r, ctx, out);
    }

    /**
     * The watermark has passed {@code timestamp}: the backlog's requests of that time, in a fixed
     * order (trace and span id), whatever order the partitions delivered them in.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Anomaly> out)
            throws Exception {
        List<LlmRequest> at = backlog.get(timestamp);
        if (at == null) {
            return;
        }
        backlog.remove(timestamp);
        at.sort(IN_ORDER);
        for (LlmRequest r : at) {
            judge(r, ctx, out);
        }
    }

    private static final java.util.Comparator<LlmRequest> IN_ORDER =
            java.util.Comparator.comparing((LlmRequest r) -> String.valueOf(r.traceId))
                    .thenComparing(r -> String.valueOf(r.spanId))
                    .thenComparingDouble(r -> r.latencyMs);

    private void judge(LlmRequest r, ReadOnlyContext ctx, Collector<Anomaly> out) throws Exception {
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

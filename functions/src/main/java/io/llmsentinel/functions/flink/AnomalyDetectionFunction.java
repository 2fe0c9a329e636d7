package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.alert.QuietStart;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.control.ControlState;
import io.llmsentinel.functions.control.RuleCache;
import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.detect.RequestDetector;
import io.llmsentinel.functions.detect.WindowDetector;
import io.llmsentinel.functions.model.BaselineSnapshot;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RequestKind;
import io.llmsentinel.functions.model.WindowInput;
import io.llmsentinel.functions.model.WindowStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The keyed detection, per request and per event-time window, in one operator. Per key, one state
 * value holds what a request touches ({@link KeyState}: the per-request baselines and the open
 * windows' counts), read and written once per request; the windows' baselines are a second value,
 * touched once per window; one event-time timer per key and window, registered when the window
 * opens, judges the window at its end (or, for a few windows after a key's last request, the empty
 * window: a stream that stops is the clearest throughput drop). {@link RequestDetector} and {@link
 * WindowDetector} judge and learn; keys that go quiet for the state TTL are forgotten.
 *
 * <p>The same input gives the same answer in any order. Live requests are judged as they arrive:
 * they come in event-time order but for the exporters' batching. A backlog (requests further behind
 * the clock than {@code event-time.catch-up-lag}: a first start from the earliest offsets, catching
 * up after downtime) arrives from several partitions read at different speeds, so one key's early
 * and late requests would meet in any order and the baselines, the verdicts and the alerts would
 * depend on it. Such requests wait in keyed state until the watermark passes them and are then
 * judged in event-time order (ties by trace and span id), by a timer per key and event time (one
 * lookup each); live requests of a key that still has a backlog before them wait behind it. What it
 * costs: while catching up, the allowed disorder ({@code event-time.max-out-of-orderness}) of event
 * time, and the backlog in state; nothing for live traffic. Windows count every request at once, in
 * any order: their counts are sums.
 *
 * <p>Earlier releases kept the per-request baselines under {@code key-baseline} in this operator
 * and counted and judged windows in two operators of their own: a key's old baselines move into the
 * new layout when the key is first seen, and the other two operators' state arrives as {@link
 * Observation}s ({@link EarlierWindowCounts}, {@link EarlierWindowBaselines}).
 */
public class AnomalyDetectionFunction
        extends KeyedBroadcastProcessFunction<String, Observation, String, Anomaly> {
    private static final long serialVersionUID = 1L;

    /** What a request touches: {@link KeyState}. */
    public static final String STATE_NAME = "key-state";

    /** The per-request baselines of releases up to 0.3 (and 0.4's development). */
    public static final String EARLIER_STATE_NAME = "key-baseline";

    /** The windows' baselines (the name the windowed detection of earlier releases used). */
    public static final String WINDOW_STATE_NAME = "window-baseline";

    /** A key's backlog: requests by event time, waiting for the watermark. */
    public static final String BACKLOG_STATE = "backlog-by-event-time";

    /** Live baselines, every {@link DetectionSettings#baselineEvery()} values of a metric. */
    public static final OutputTag<BaselineSnapshot> BASELINES =
            new OutputTag<>("baselines", TypeInformation.of(BaselineSnapshot.class));

    /** Requests and metric intervals whose window had closed when they came (counted apart). */
    /**
     * Open windows one key may hold (a backlog read far ahead of the watermark); inputs of more are
     * counted apart, as {@link #LATE_FOR_WINDOWS}.
     */
    static final int MAX_OPEN_WINDOWS = 240;

    public static final OutputTag<WindowInput> LATE_FOR_WINDOWS =
            new OutputTag<>("late-for-windows", TypeInformation.of(WindowInput.class));

    /**
     * Accumulator: backlog requests that arrived behind the watermark (judged in arrival order).
     */
    public static final String ACC_BACKLOG_LATE = "sentinel.backlogBehindWatermark";

    private final DetectionSettings settings;
    private final QuietStart quietStart;
    private final long catchUpLagMs;
    private final KeyBaselineSerializer earlierSerializer;
    private final KeyStateSerializer stateSerializer;
    private final boolean judgesRequests;
    private final boolean countsWindows;
    private final long windowMs;
    private transient RuleCache<RequestDetector> requestDetectors;
    private transient RuleCache<WindowDetector> windowDetectors;
    private transient ControlState control;
    private transient ValueState<KeyState> keyState;
    private transient ValueState<KeyBaseline> earlier;
    private transient ValueState<KeyBaseline> windowBaselines;
    private transient MapState<Long, List<LlmRequest>> backlog;
    private transient Counter frozen;
    private transient Counter requests;
    private transient Counter ordered;
    private transient Counter carriedOver;

    /**
     * Windows whose counts came after the window was judged (a replay after a failover reopens
     * them; an earlier release's counts of a judged window): counted, not judged twice.
     */
    private transient Counter judgedAlready;

    private transient Counter beyondOpenWindows;

    private transient AnomalyCounters anomalies;
    private transient List<BaselineSnapshot> snapshots;
    private transient org.apache.flink.api.common.accumulators.LongCounter lateTotal;

    public AnomalyDetectionFunction(DetectionSettings settings, QuietStart quietStart) {
        this(settings, quietStart, 0);
    }

    /**
     * @param catchUpLagMs requests further behind the clock than this are a backlog, judged per key
     *     in event-time order once the watermark passes their window (0: always in arrival order)
     */
    public AnomalyDetectionFunction(
            DetectionSettings settings, QuietStart quietStart, long catchUpLagMs) {
        this(
                settings,
                quietStart,
                catchUpLagMs,
                KeyBaselineSerializer.INSTANCE,
                KeyStateSerializer.INSTANCE);
    }

    /** With other state serializers: for compatibility tests only. */
    AnomalyDetectionFunction(
            DetectionSettings settings,
            QuietStart quietStart,
            long catchUpLagMs,
            KeyBaselineSerializer earlierSerializer,
            KeyStateSerializer stateSerializer) {
        this.settings = settings;
        this.quietStart = quietStart;
        this.catchUpLagMs = catchUpLagMs;
        this.earlierSerializer = earlierSerializer;
        this.stateSerializer = stateSerializer;
        this.judgesRequests = !settings.requestMetrics().isEmpty();
        this.countsWindows = !settings.windowMetrics().isEmpty();
        this.windowMs = settings.windowSizeMs();
    }

    /** A keyed value with the configured TTL for quiet keys (refreshed by every write). */
    public static <T> ValueStateDescriptor<T> stateDescriptor(
            String name, long ttlMs, TypeSerializer<T> serializer) {
        ValueStateDescriptor<T> d = new ValueStateDescriptor<>(name, serializer);
        if (ttlMs > 0) {
            d.enableTimeToLive(
                    StateTtlConfig.newBuilder(Duration.ofMillis(ttlMs))
                            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                            .build());
        }
        return d;
    }

    /** The keyed baselines of a name, as every release kept them. */
    public static ValueStateDescriptor<KeyBaseline> stateDescriptor(String name, long ttlMs) {
        return stateDescriptor(name, ttlMs, KeyBaselineSerializer.INSTANCE);
    }

    @Override
    public void open(OpenContext openContext) {
        requestDetectors =
                new RuleCache<>(settings, settings.requestMetrics(), RequestDetector::new);
        windowDetectors = new RuleCache<>(settings, settings.windowMetrics(), WindowDetector::new);
        long ttl = settings.stateTtlMs();
        keyState = getRuntimeContext().getState(stateDescriptor(STATE_NAME, ttl, stateSerializer));
        earlier =
                getRuntimeContext()
                        .getState(stateDescriptor(EARLIER_STATE_NAME, ttl, earlierSerializer));
        windowBaselines = getRuntimeContext().getState(stateDescriptor(WINDOW_STATE_NAME, ttl));
        backlog =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        BACKLOG_STATE,
                                        LongSerializer.INSTANCE,
                                        new ListSerializer<>(LlmRequestSerializer.INSTANCE)));
        var group = getRuntimeContext().getMetricGroup().addGroup("sentinel");
        requests = group.counter("requestsEvaluated");
        frozen = group.counter("requestsInMaintenance");
        ordered = group.counter("requestsOrderedByEventTime");
        carriedOver = group.counter("earlierWindowStateCarriedOver");
        judgedAlready = group.counter("windowCountsAfterTheirJudgement");
        beyondOpenWindows = group.counter("windowCountsBeyondOpenWindowLimit");
        anomalies = new AnomalyCounters(getRuntimeContext().getMetricGroup());
        snapshots = new ArrayList<>(4);
        lateTotal = new org.apache.flink.api.common.accumulators.LongCounter();
        getRuntimeContext().addAccumulator(ACC_BACKLOG_LATE, lateTotal);
    }

    @Override
    public void processElement(Observation o, ReadOnlyContext ctx, Collector<Anomaly> out)
            throws Exception {
        switch (o.kind) {
            case REQUEST -> request(o.request, ctx, out);
            case METRIC_INTERVAL -> {
                if (countsWindows) {
                    KeyState s = keyState();
                    count(s, o.interval, ctx);
                    keyState.update(s);
                }
            }
            case EARLIER_WINDOW -> earlierWindow(o.window, ctx);
            case EARLIER_WINDOW_BASELINE -> earlierWindowBaseline(o.windowBaseline, ctx);
        }
    }

    private void request(LlmRequest r, ReadOnlyContext ctx, Collector<Anomaly> out)
            throws Exception {
        boolean judged = judgesRequests && r.kind != RequestKind.TOOL_EXECUTION;
        if (!judged && !countsWindows) {
            return;
        }
        KeyState s = keyState();
        if (countsWindows) {
            count(s, WindowInput.of(r), ctx);
        }
        if (judged) {
            requests.inc();
            long now = ctx.timerService().currentProcessingTime();
            boolean behind = catchUpLagMs > 0 && r.eventTimeMs < now - catchUpLagMs;
            long watermark = ctx.timerService().currentWatermark();
            // A key still judging a backlog judges newer requests after it, not ahead of it.
            boolean afterBacklog = s.backlogUntilMs > 0 && s.backlogUntilMs > watermark;
            if ((behind || afterBacklog) && r.eventTimeMs > watermark) {
                if (behind) {
                    s.backlogUntilMs = Math.max(s.backlogUntilMs, r.eventTimeMs);
                }
                // A backlog: judged in event-time order once the watermark has passed it.
                List<LlmRequest> at = backlog.get(r.eventTimeMs);
                if (at == null) {
                    at = new ArrayList<>(1);
                    // a timer per key and event time: it finds its requests by one lookup
                    ctx.timerService().registerEventTimeTimer(r.eventTimeMs);
                }
                at.add(r);
                backlog.put(r.eventTimeMs, at);
                ordered.inc();
            } else {
                if (behind) {
                    lateTotal.add(1); // a backlog request behind the watermark: judged as it comes
                }
                judge(r, s, ctx, out);
            }
        }
        keyState.update(s);
    }

    /** The key's state: as stored, moved from the earlier layout, or new. */
    private KeyState keyState() throws Exception {
        KeyState s = keyState.value();
        if (s == null) {
            s = new KeyState();
            KeyBaseline old = earlier.value();
            if (old != null) {
                s.requests = old;
                earlier.clear();
            }
        }
        return s;
    }

    private long windowStart(long t) {
        return TimeWindow.getWindowStartWithOffset(t, 0, windowMs);
    }

    private long windowEnd(long t) {
        return windowStart(t) + windowMs;
    }

    /**
     * Counts a request or metric interval in its window, opening the window (and its timer) with
     * the first; a window whose end the watermark has passed was judged already: counted apart.
     */
    private void count(KeyState s, WindowInput in, ReadOnlyContext ctx) {
        long start = windowStart(in.eventTimeMs);
        if (start + windowMs - 1 <= ctx.timerService().currentWatermark()) {
            ctx.output(LATE_FOR_WINDOWS, in);
            return;
        }
        WindowStats w = s.window(start);
        if (w == null) {
            if (s.openWindows() >= MAX_OPEN_WINDOWS) {
                // event time this far ahead of the watermark would grow the key's state without
                // bound: counted apart like a late one, and on a counter of its own (the late
                // ones' advice, more out-of-orderness, does not apply)
                beyondOpenWindows.inc();
                ctx.output(LATE_FOR_WINDOWS, in);
                return;
            }
            w = s.open(start, start + windowMs);
            ctx.timerService().registerEventTimeTimer(start + windowMs - 1);
        }
        w.add(in);
    }

    /** An earlier release's window operator held these counts of an open window. */
    private void earlierWindow(WindowStats counts, ReadOnlyContext ctx) throws Exception {
        carriedOver.inc();
        if (!countsWindows || counts.windowEndMs - 1 <= ctx.timerService().currentWatermark()) {
            return; // not watched any more, or judged already
        }
        KeyState s = keyState();
        WindowStats w = s.window(counts.windowStartMs);
        if (w == null) {
            w = s.open(counts.windowStartMs, counts.windowEndMs);
            ctx.timerService().registerEventTimeTimer(counts.windowEndMs - 1);
        }
        w.merge(counts);
        keyState.update(s);
    }

    /**
     * An earlier release's windowed detection kept these baselines; a key it had stopped hearing
     * from still has its empty windows judged.
     */
    private void earlierWindowBaseline(KeyBaseline b, ReadOnlyContext ctx) throws Exception {
        carriedOver.inc();
        if (windowBaselines.value() != null) {
            return; // this operator judged the key's windows already
        }
        windowBaselines.update(b);
        if (countsWindows
                && b.dimensions != null
                && b.emptyWindowsJudged < settings.emptyWindows()) {
            ctx.timerService().registerEventTimeTimer(b.lastWindowEndMs + windowMs - 1);
        }
    }

    /**
     * Event time has passed {@code timestamp}: the backlog up to it in event-time order, then the
     * windows ending by it, or the empty window ending there.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Anomaly> out)
            throws Exception {
        List<LlmRequest> due = dueFromBacklog(timestamp);
        KeyState s = due.isEmpty() ? keyState.value() : keyState();
        boolean changed = false;
        for (LlmRequest r : due) {
            judge(r, s, ctx, out);
            changed = true;
        }
        if (s != null && s.backlogUntilMs > 0 && timestamp >= s.backlogUntilMs) {
            s.backlogUntilMs = 0; // the backlog is judged: newer requests go straight on
            // ... and so do the live ones that waited behind it, now, in event-time order: left
            // to their own timers, a newer request arriving meanwhile would be judged before them.
            for (LlmRequest r : restOfBacklog()) {
                judge(r, s, ctx, out);
            }
            changed = true;
        }
        if (countsWindows) {
            WindowStats[] closed = s == null ? NO_WINDOWS : s.closeEndingBy(timestamp + 1);
            changed |= closed.length > 0;
            if (closed.length > 0 || (timestamp + 1) % windowMs == 0) { // not a backlog timer
                judgeWindows(closed, timestamp + 1, s, ctx, out);
            }
        }
        if (changed) {
            keyState.update(s);
        }
    }

    private static final WindowStats[] NO_WINDOWS = new WindowStats[0];

    /** The backlog's requests of {@code timestamp}, removed, in a fixed order. */
    private List<LlmRequest> dueFromBacklog(long timestamp) throws Exception {
        List<LlmRequest> due = backlog.get(timestamp);
        if (due == null) {
            return List.of();
        }
        backlog.remove(timestamp);
        due.sort(IN_ORDER);
        return due;
    }

    /**
     * Every request still waiting, removed, in event-time order (their timers find nothing later).
     * Once per backlog of a key, when it is judged: the live requests that came during it.
     */
    private List<LlmRequest> restOfBacklog() throws Exception {
        List<LlmRequest> rest = new ArrayList<>();
        for (Map.Entry<Long, List<LlmRequest>> e : backlog.entries()) {
            rest.addAll(e.getValue());
        }
        if (!rest.isEmpty()) {
            backlog.clear();
            rest.sort(IN_ORDER);
        }
        return rest;
    }

    private static final java.util.Comparator<LlmRequest> IN_ORDER =
            java.util.Comparator.comparingLong((LlmRequest r) -> r.eventTimeMs)
                    .thenComparing(r -> String.valueOf(r.traceId))
                    .thenComparing(r -> String.valueOf(r.spanId))
                    .thenComparingDouble(r -> r.latencyMs);

    /**
     * Judges the windows that closed, oldest first; if none ended at {@code windowEnd} and the key
     * went quiet right before, the empty window ending there. Registers the timer of the next
     * window while empty windows are still judged.
     */
    private void judgeWindows(
            WindowStats[] closed,
            long windowEnd,
            KeyState s,
            ReadOnlyContext ctx,
            Collector<Anomaly> out)
            throws Exception {
        KeyBaseline b = windowBaselines.value();
        boolean judged = false;
        for (WindowStats w : closed) {
            if (b == null) {
                b = new KeyBaseline();
            }
            if (w.windowEndMs <= b.lastWindowEndMs) {
                judgedAlready.inc(); // judged already (a replay after a failover, say)
                continue;
            }
            b.seen(w.windowStartMs);
            b.dimensions =
                    new String[] {
                        w.service, w.model, w.provider, w.operation, w.environment, w.namespace
                    };
            judgeWindow(b, w, w.windowEndMs, false, ctx, out);
            judged = true;
        }
        if (!judged
                && b != null
                && b.dimensions != null
                && windowEnd % windowMs == 0
                && windowEnd == b.lastWindowEndMs + windowMs
                && b.emptyWindowsJudged < settings.emptyWindows()) {
            WindowStats template = new WindowStats();
            template.service = b.dimensions[0];
            template.model = b.dimensions[1];
            template.provider = b.dimensions[2];
            template.operation = b.dimensions[3];
            template.environment = b.dimensions[4];
            template.namespace = b.dimensions[5];
            // An empty window obeys rules and maintenance windows like a full one.
            judgeWindow(b, template, windowEnd, true, ctx, out);
            judged = true;
        }
        if (!judged) {
            return;
        }
        windowBaselines.update(b);
        long next = b.lastWindowEndMs;
        if (b.emptyWindowsJudged < settings.emptyWindows()
                && (s == null || s.window(next) == null)) {
            ctx.timerService().registerEventTimeTimer(next + windowMs - 1);
        }
    }

    /**
     * Judges a window of the key with the detectors its rules ask for; during a maintenance window
     * the values are judged but not learned: only the window bookkeeping moves on.
     */
    private void judgeWindow(
            KeyBaseline b,
            WindowStats w,
            long windowEnd,
            boolean empty,
            ReadOnlyContext ctx,
            Collector<Anomaly> out)
            throws Exception {
        ControlState c = control(ctx);
        long now = ctx.timerService().currentProcessingTime();
        c.expireIfDue(now);
        WindowDetector detector =
                windowDetectors.forKey(
                        c, w.service, w.model, w.provider, w.operation, w.environment, now);
        boolean maintenance =
                c.hasMaintenance()
                        && c.inMaintenance(
                                w.service, w.model, w.provider, w.operation, w.environment, now);
        KeyBaseline judged = maintenance ? KeyBaselineSerializer.INSTANCE.copy(b) : b;
        List<Anomaly> found =
                empty
                        ? detector.observeEmpty(judged, w, windowEnd, now)
                        : detector.observe(judged, w, now);
        quietStart.mark(found, b.firstEventTimeMs);
        emit(found, out);
        if (maintenance) {
            b.lastWindowEndMs = judged.lastWindowEndMs;
            b.lastEventTimeMs = judged.lastEventTimeMs;
            b.emptyWindowsJudged = judged.emptyWindowsJudged;
        }
    }

    private void judge(LlmRequest r, KeyState s, ReadOnlyContext ctx, Collector<Anomaly> out)
            throws Exception {
        ControlState c = control(ctx);
        long now = ctx.timerService().currentProcessingTime();
        c.expireIfDue(now);
        RequestDetector detector =
                requestDetectors.forKey(
                        c, r.service, r.model, r.provider, r.operation, r.environment, now);
        if (s.requests == null) {
            s.requests = new KeyBaseline();
        }
        KeyBaseline stored = s.requests;
        stored.seen(r.eventTimeMs);
        // In a maintenance window the values are judged, but the baselines do not learn them.
        boolean maintenance =
                c.hasMaintenance()
                        && c.inMaintenance(
                                r.service, r.model, r.provider, r.operation, r.environment, now);
        KeyBaseline baseline = maintenance ? earlierSerializer.copy(stored) : stored;
        snapshots.clear();
        List<Anomaly> found =
                detector.observe(
                        baseline, r, now, maintenance ? 0 : settings.baselineEvery(), snapshots);
        if (maintenance) {
            frozen.inc();
            stored.lastEventTimeMs = baseline.lastEventTimeMs;
        }
        quietStart.mark(found, stored.firstEventTimeMs);
        for (BaselineSnapshot b : snapshots) {
            ctx.output(BASELINES, b);
        }
        emit(found, out);
    }

    private ControlState control(ReadOnlyContext ctx) throws Exception {
        if (control == null) {
            control =
                    ControlBroadcast.rebuild(
                            ctx.getBroadcastState(ControlBroadcast.STATE),
                            ctx.currentProcessingTime());
        }
        return control;
    }

    private void emit(List<Anomaly> found, Collector<Anomaly> out) {
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

package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.alert.QuietStart;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.control.ControlState;
import io.llmsentinel.functions.control.RuleCache;
import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.detect.WindowDetector;
import io.llmsentinel.functions.model.WindowStats;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The keyed detection step for windowed metrics (request_rate, error_rate, cost_per_minute). It
 * receives each key's window counts when event time passes the window's end, and sets an event-time
 * timer at the end of the next window: if no counts came for that window, the key sent nothing, and
 * a rate of zero is judged (for a few windows, then the key goes quiet).
 */
public class WindowMetricsFunction
        extends KeyedBroadcastProcessFunction<String, WindowStats, String, Anomaly> {
    private static final long serialVersionUID = 1L;

    public static final String STATE_NAME = "window-baseline";

    private final DetectionSettings settings;
    private final QuietStart quietStart;
    private transient RuleCache<WindowDetector> detectors;
    private transient ControlState control;
    private transient ValueState<KeyBaseline> baselines;
    private transient AnomalyCounters anomalies;

    public WindowMetricsFunction(DetectionSettings settings, QuietStart quietStart) {
        this.settings = settings;
        this.quietStart = quietStart;
    }

    @Override
    public void open(OpenContext openContext) {
        detectors = new RuleCache<>(settings, settings.windowMetrics(), WindowDetector::new);
        baselines =
                getRuntimeContext()
                        .getState(
                                AnomalyDetectionFunction.stateDescriptor(
                                        STATE_NAME, settings.stateTtlMs()));
        anomalies = new AnomalyCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(WindowStats w, ReadOnlyContext ctx, Collector<Anomaly> out)
            throws Exception {
        KeyBaseline b = baselines.value();
        if (b == null) {
            b = new KeyBaseline();
        }
        if (w.windowEndMs <= b.lastWindowEndMs) {
            return; // a late firing of a window already judged
        }
        b.seen(w.windowStartMs);
        b.dimensions =
                new String[] {
                    w.service, w.model, w.provider, w.operation, w.environment, w.namespace
                };
        judge(b, w, w.windowEndMs, false, ctx, out);
        baselines.update(b);
        ctx.timerService().registerEventTimeTimer(w.windowEndMs + settings.windowSizeMs() - 1);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Anomaly> out)
            throws Exception {
        KeyBaseline b = baselines.value();
        long windowEnd = timestamp + 1;
        if (b == null || b.dimensions == null || windowEnd <= b.lastWindowEndMs) {
            return; // counts for that window arrived: it was not empty
        }
        WindowStats template = new WindowStats();
        template.service = b.dimensions[0];
        template.model = b.dimensions[1];
        template.provider = b.dimensions[2];
        template.operation = b.dimensions[3];
        template.environment = b.dimensions[4];
        template.namespace = b.dimensions[5];
        // An empty window obeys rules and maintenance windows like a full one.
        judge(b, template, windowEnd, true, ctx, out);
        baselines.update(b);
        if (b.emptyWindowsJudged < settings.emptyWindows()) {
            ctx.timerService().registerEventTimeTimer(windowEnd + settings.windowSizeMs() - 1);
        }
    }

    /**
     * Judges a window of the key with the detectors its rules ask for; during a maintenance window
     * the values are judged but not learned: only the window bookkeeping moves on.
     */
    private void judge(
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
                detectors.forKey(
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

    private ControlState control(ReadOnlyContext ctx) throws Exception {
        if (control == null) {
            control =
                    ControlBroadcast.rebuild(
                            ctx.getBroadcastState(ControlBroadcast.STATE),
                            ctx.currentProcessingTime());
        }
        return control;
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

    private void emit(List<Anomaly> found, Collector<Anomaly> out) {
        for (Anomaly a : found) {
            anomalies.count(a);
            out.collect(a);
        }
    }
}

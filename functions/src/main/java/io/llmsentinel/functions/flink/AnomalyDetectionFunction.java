package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.detect.RequestDetector;
import io.llmsentinel.functions.model.LlmRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The keyed detection step: per key, loads the learned baselines from keyed state (one small value,
 * one read and one write per request), lets {@link RequestDetector} judge and learn, and emits the
 * anomalies. Keys that go quiet for the state TTL are forgotten.
 */
public class AnomalyDetectionFunction extends KeyedProcessFunction<String, LlmRequest, Anomaly> {
    private static final long serialVersionUID = 1L;

    public static final String STATE_NAME = "key-baseline";

    private final DetectionSettings settings;
    private transient RequestDetector detector;
    private transient ValueState<KeyBaseline> baselines;
    private transient Counter requests;
    private transient MetricGroup anomalyGroup;
    private transient Map<String, Counter> anomalyCounters;

    public AnomalyDetectionFunction(DetectionSettings settings) {
        this.settings = settings;
    }

    public static ValueStateDescriptor<KeyBaseline> stateDescriptor(long ttlMs) {
        ValueStateDescriptor<KeyBaseline> d =
                new ValueStateDescriptor<>(STATE_NAME, KeyBaselineSerializer.INSTANCE);
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
        detector = new RequestDetector(settings);
        baselines = getRuntimeContext().getState(stateDescriptor(settings.stateTtlMs()));
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("sentinel");
        requests = group.counter("requestsEvaluated");
        anomalyGroup = group.addGroup("anomalies");
        anomalyCounters = new HashMap<>();
    }

    @Override
    public void processElement(LlmRequest r, Context ctx, Collector<Anomaly> out) throws Exception {
        requests.inc();
        KeyBaseline baseline = baselines.value();
        if (baseline == null) {
            baseline = new KeyBaseline();
        }
        List<Anomaly> found =
                detector.observe(baseline, r, ctx.timerService().currentProcessingTime());
        baselines.update(baseline);
        for (Anomaly a : found) {
            count(a);
            out.collect(a);
        }
    }

    private void count(Anomaly a) {
        for (var f : a.detectors) {
            anomalyCounters
                    .computeIfAbsent(
                            f.detector + "|" + a.severity,
                            k ->
                                    anomalyGroup
                                            .addGroup("detector", f.detector)
                                            .addGroup("severity", a.severity)
                                            .counter("count"))
                    .inc();
        }
    }
}

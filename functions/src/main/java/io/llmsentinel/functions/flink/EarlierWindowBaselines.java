package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.detect.KeyBaseline;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Carries the windows' baselines of releases up to 0.3 (and 0.4's development) into the keyed
 * detection. Those judged windows in an operator of their own (uid {@code detect-window-anomalies},
 * state {@code window-baseline}, a timer per key for its next, possibly empty, window); its state
 * restores here under the same uid and names, and every key's baselines are handed to the
 * detection, as an {@link Observation}, at the first watermark after the restore: before the
 * detection's own watermark passes any window's end, so no window is judged without them. Its input
 * is {@link EarlierWindowCounts}'s open windows, passed on as they come; once every key has been
 * handed over it holds nothing, and a savepoint of this release keeps nothing here. The control
 * commands that operator kept are dropped: the detection has its own copy.
 */
public class EarlierWindowBaselines extends AbstractStreamOperator<Observation>
        implements OneInputStreamOperator<Observation, Observation>,
                Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;

    /** The timer service of a keyed process function, as Flink names it. */
    static final String TIMERS = "user-timers";

    /** Before any watermark a source emits: the first one hands every key over. */
    static final long FIRST_WATERMARK = Long.MIN_VALUE + 1;

    private final long ttlMs;
    private transient ValueState<KeyBaseline> baselines;

    /**
     * @param ttlMs the state TTL the earlier release kept the baselines with ({@code
     *     detection.state-ttl}; it must match to read them)
     */
    public EarlierWindowBaselines(long ttlMs) {
        this.ttlMs = ttlMs;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        if (context.isRestored()) {
            context.getOperatorStateStore().getBroadcastState(ControlBroadcast.STATE).clear();
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        baselines =
                getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        AnomalyDetectionFunction.stateDescriptor(
                                AnomalyDetectionFunction.WINDOW_STATE_NAME, ttlMs));
        InternalTimerService<VoidNamespace> timers =
                getInternalTimerService(TIMERS, VoidNamespaceSerializer.INSTANCE, this);
        List<String> keys;
        try (Stream<?> s =
                getKeyedStateBackend()
                        .getKeys(
                                AnomalyDetectionFunction.WINDOW_STATE_NAME,
                                VoidNamespace.INSTANCE)) {
            keys = s.map(k -> (String) k).collect(Collectors.toList());
        }
        for (String key : keys) {
            setCurrentKey(key);
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, FIRST_WATERMARK);
        }
    }

    @Override
    public void processElement(StreamRecord<Observation> element) {
        // The open windows EarlierWindowCounts carries over, on their way to the detection.
        output.collect(element);
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        KeyBaseline b = baselines.value();
        if (b == null) {
            return; // handed over already (each key also has the timer of its next window)
        }
        baselines.clear();
        output.collect(
                new StreamRecord<>(
                        Observation.earlierWindowBaseline((String) getCurrentKey(), b),
                        timer.getTimestamp()));
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {
        // none were set
    }
}

package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.model.WindowStats;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.internal.InternalAggregatingState;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Carries the open windows of releases up to 0.3 (and 0.4's development) into the keyed detection.
 * Those counted windows in a window operator of their own (uid {@code count-per-window}): its state
 * (each key's open windows' counts, and a timer at each window's end) restores here, under the same
 * uid, state name and timer service, and each window's counts are handed to the detection, as an
 * {@link Observation}, when event time reaches the window's end, before the detection's own
 * watermark does: the window is judged whole, with the requests counted before and after the
 * upgrade. Receives no records (only event time); once the last earlier window has been handed over
 * it holds nothing. A savepoint of this release keeps nothing here.
 */
public class EarlierWindowCounts extends AbstractStreamOperator<Observation>
        implements OneInputStreamOperator<Observation, Observation>,
                Triggerable<String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    /** The window operator's state and timer service, as Flink names them. */
    static final String STATE_NAME = "window-contents";

    static final String TIMERS = "window-timers";

    private transient InternalAggregatingState<
                    String, TimeWindow, WindowStats, WindowStats, WindowStats>
            contents;

    @Override
    @SuppressWarnings("unchecked")
    public void open() throws Exception {
        super.open();
        // The accumulator was a Flink POJO then (WindowStats): the same serializer reads it.
        AggregatingStateDescriptor<WindowStats, WindowStats, WindowStats> d =
                new AggregatingStateDescriptor<>(
                        STATE_NAME,
                        new Sum(),
                        TypeInformation.of(WindowStats.class)
                                .createSerializer(getExecutionConfig().getSerializerConfig()));
        contents =
                (InternalAggregatingState<
                                String, TimeWindow, WindowStats, WindowStats, WindowStats>)
                        getOrCreateKeyedState(new TimeWindow.Serializer(), d);
        InternalTimerService<TimeWindow> timers =
                getInternalTimerService(TIMERS, new TimeWindow.Serializer(), this);
        if (timers == null) {
            throw new IllegalStateException("no timer service");
        }
    }

    @Override
    public void processElement(StreamRecord<Observation> element) {
        // Nothing comes here: only event time (see the class comment).
    }

    @Override
    public void onEventTime(InternalTimer<String, TimeWindow> timer) throws Exception {
        TimeWindow window = timer.getNamespace();
        contents.setCurrentNamespace(window);
        WindowStats counts = contents.getInternal();
        if (counts == null) {
            return;
        }
        contents.clear();
        counts.windowStartMs = window.getStart();
        counts.windowEndMs = window.getEnd();
        String key = (String) getCurrentKey();
        counts.key = key;
        output.collect(
                new StreamRecord<>(Observation.earlierWindow(key, counts), window.maxTimestamp()));
    }

    @Override
    public void onProcessingTime(InternalTimer<String, TimeWindow> timer) {
        // event-time windows only
    }

    /** The aggregate the window operator had; only its types matter to read the state. */
    static final class Sum implements AggregateFunction<WindowStats, WindowStats, WindowStats> {
        private static final long serialVersionUID = 1L;

        @Override
        public WindowStats createAccumulator() {
            return new WindowStats();
        }

        @Override
        public WindowStats add(WindowStats value, WindowStats acc) {
            return acc.merge(value);
        }

        @Override
        public WindowStats getResult(WindowStats acc) {
            return acc;
        }

        @Override
        public WindowStats merge(WindowStats a, WindowStats b) {
            return a.merge(b);
        }
    }
}

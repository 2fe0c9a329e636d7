package io.llmsentinel.job.io;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Passes the control commands on and keeps them out of event time. The commands are the broadcast
 * input of operators that run on event time, whose watermark is the smaller of their active
 * inputs'. If the control side sent watermarks, it would either hold the telemetry back (a low one)
 * or, once the telemetry input goes idle in a quiet hour, become the only active input and carry
 * those operators to its own watermark: with {@code Long.MAX_VALUE}, every open alert resolved at
 * once, every window timer fired in one burst, and event time stayed at the end of time until a
 * restart.
 *
 * <p>So this operator drops every watermark it receives (including the one a bounded input sends
 * when it ends) and declares its output idle from the start: an idle input is left out of the
 * downstream watermark, and its records are still processed. The telemetry alone drives event time;
 * when it is idle too, event time stands still until it resumes.
 */
public final class WithoutEventTime<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<T, T> {
    private static final long serialVersionUID = 1L;

    @Override
    public void open() throws Exception {
        super.open();
        // Emitted from the mailbox once the task runs, not from open() itself.
        getProcessingTimeService()
                .registerTimer(
                        getProcessingTimeService().getCurrentProcessingTime(),
                        t -> output.emitWatermarkStatus(WatermarkStatus.IDLE));
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) {
        // dropped: commands carry no event time
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
        output.emitWatermarkStatus(WatermarkStatus.IDLE);
    }
}

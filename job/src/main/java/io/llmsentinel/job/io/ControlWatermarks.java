package io.llmsentinel.job.io;

import io.llmsentinel.functions.model.RawMessage;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The control topic has no event time of its own, yet it is the broadcast input of operators that
 * run on event time (their watermark is the smaller of their inputs'). Its source therefore
 * declares, at every periodic emit, that it holds nothing back: the largest watermark, so the
 * telemetry alone decides event time.
 */
public final class ControlWatermarks {
    private ControlWatermarks() {}

    public static WatermarkStrategy<RawMessage> strategy() {
        return WatermarkStrategy.forGenerator(
                ctx ->
                        new WatermarkGenerator<>() {
                            @Override
                            public void onEvent(RawMessage m, long ts, WatermarkOutput out) {}

                            @Override
                            public void onPeriodicEmit(WatermarkOutput out) {
                                out.emitWatermark(new Watermark(Long.MAX_VALUE));
                            }
                        });
    }
}

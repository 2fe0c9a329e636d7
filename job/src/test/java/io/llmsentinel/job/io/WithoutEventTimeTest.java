package io.llmsentinel.job.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class WithoutEventTimeTest {

    @Test
    void passesCommandsOnDropsEveryWatermarkAndDeclaresItselfIdle() throws Exception {
        try (var h =
                new OneInputStreamOperatorTestHarness<String, String>(new WithoutEventTime<>())) {
            h.open();
            h.setProcessingTime(1);
            h.processElement(new StreamRecord<>("{\"type\":\"silence\"}"));
            h.processWatermarkStatus(WatermarkStatus.ACTIVE);
            // What a bounded control input sends when it ends, and what the old source emitted.
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            h.processElement(new StreamRecord<>("{\"type\":\"rule\"}"));

            assertThat(h.getOutput())
                    .as("no watermark ever leaves the control side")
                    .noneMatch(o -> o instanceof Watermark);
            assertThat(h.getOutput())
                    .filteredOn(o -> o instanceof WatermarkStatus)
                    .isNotEmpty()
                    .allMatch(s -> ((WatermarkStatus) s).isIdle());
            assertThat(h.extractOutputValues())
                    .containsExactly("{\"type\":\"silence\"}", "{\"type\":\"rule\"}");
        }
    }
}

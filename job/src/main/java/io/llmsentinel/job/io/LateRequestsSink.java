package io.llmsentinel.job.io;

import io.llmsentinel.functions.model.WindowInput;
import java.time.Instant;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests that arrived after their event-time window closed: counted ({@code
 * sentinel.lateForWindows}) and logged, rate-limited, with how late they were. They were judged per
 * request already; only the window's rates miss them.
 */
public class LateRequestsSink implements Sink<WindowInput> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LateRequestsSink.class);

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<WindowInput> createWriter(InitContext context) {
        Counter late = context.metricGroup().addGroup("sentinel").counter("lateForWindows");
        return new SinkWriter<>() {
            private long logged;

            @Override
            public void write(WindowInput r, Context ctx) {
                late.inc();
                if (logged++ < 10 || logged % 1000 == 0) {
                    LOG.warn(
                            "A request (or metric interval) of {}/{} at {} came after its"
                                    + " event-time window closed"
                                    + " (watermark {}): judged per request, missing from the"
                                    + " window rates; {} so far on this subtask. Raise"
                                    + " event-time.max-out-of-orderness if this is common.",
                            r.service,
                            r.model,
                            Instant.ofEpochMilli(r.eventTimeMs),
                            Instant.ofEpochMilli(ctx.currentWatermark()),
                            logged);
                }
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}

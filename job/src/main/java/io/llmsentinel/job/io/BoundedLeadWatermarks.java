package io.llmsentinel.job.io;

import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness watermarks (the newest event time less the allowed disorder) whose lead
 * over the job's clock is bounded too: the watermark never passes the clock less the allowed
 * disorder. One client whose clock runs 60 s ahead (well inside {@code event-time.max-future})
 * would otherwise carry its partition's watermark 60 s ahead, and every honest client's requests
 * after it would be late for their windows (false throughput drops). With the bound, that client's
 * requests simply land in later windows; everyone else is on time.
 *
 * <p>The bound only binds for event times ahead of the clock: a replay of old data, far behind the
 * clock, gets exactly the bounded out-of-orderness watermarks.
 */
public final class BoundedLeadWatermarks<T> implements WatermarkGenerator<T> {
    private final long outOfOrdernessMs;
    private final LongSupplier clock;
    private long newest = Long.MIN_VALUE + 1;

    public BoundedLeadWatermarks(long outOfOrdernessMs, LongSupplier clock) {
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.clock = clock;
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        newest = Math.max(newest, eventTimestamp);
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (newest == Long.MIN_VALUE + 1) {
            return; // nothing seen yet
        }
        long lead = Math.min(newest, clock.getAsLong());
        output.emitWatermark(new Watermark(lead - outOfOrdernessMs - 1));
    }
}

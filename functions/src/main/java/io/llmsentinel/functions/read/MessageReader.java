package io.llmsentinel.functions.read;

import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.MetricPoint;
import io.llmsentinel.functions.model.RawMessage;
import io.llmsentinel.functions.model.ReadMessage;
import java.io.Serializable;
import java.util.List;

/**
 * Reads one Kafka message whole: its requests, skipped spans and at most one bounded dead letter.
 * Never throws on any input (the fuzz test feeds it ten thousand mutated messages); a bug that
 * would escape is caught and dead-lettered as {@code invalid_json} with its class and message.
 */
public final class MessageReader implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final LlmRequest[] NONE = new LlmRequest[0];
    private static final MetricPoint[] NO_POINTS = new MetricPoint[0];

    private final TelemetryReader reader;
    private final DeadLetters deadLetters;

    public MessageReader(TelemetryReader reader, DeadLetters deadLetters) {
        this.reader = reader;
        this.deadLetters = deadLetters;
    }

    public ReadMessage read(RawMessage raw) {
        ReadResult r;
        try {
            r = reader.read(raw.value);
        } catch (RuntimeException | StackOverflowError e) {
            r = ReadResult.ofInvalid(InvalidReason.INVALID_JSON, "unreadable: " + e);
        }
        ReadMessage m = new ReadMessage();
        m.sourceTopic = raw.topic;
        m.sourcePartition = raw.partition;
        m.sourceOffset = raw.offset;
        List<LlmRequest> requests = r.requests();
        m.requests = requests.isEmpty() ? NONE : requests.toArray(NONE);
        m.points = r.points().isEmpty() ? NO_POINTS : r.points().toArray(NO_POINTS);
        m.skipped = r.skipped();
        m.skippedByReason = r.skippedByReason();
        m.cleanedDimensions = r.cleanedDimensions();
        long t = Long.MIN_VALUE;
        for (LlmRequest q : m.requests) {
            t = Math.max(t, q.eventTimeMs);
        }
        for (MetricPoint p : m.points) {
            t = Math.max(t, p.timeMs);
        }
        m.eventTimeMs = t == Long.MIN_VALUE ? raw.kafkaTimestampMs : t;
        if (!r.invalid().isEmpty()) {
            m.deadLetter = deadLetters.of(raw, r.invalid());
            m.deadLetter.wholeMessage = r.wholeMessage();
        }
        return m;
    }
}

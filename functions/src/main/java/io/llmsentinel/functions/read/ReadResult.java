package io.llmsentinel.functions.read;

import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.MetricPoint;
import java.util.ArrayList;
import java.util.List;

/**
 * What one message held: the LLM requests read from it, how many spans were not model calls (by
 * {@link SkipReason}), and the spans (or the whole message) that could not be read, each with its
 * reason.
 */
public final class ReadResult {

    /** One part of a message that could not be read. */
    public record Invalid(InvalidReason reason, String detail) {}

    private final List<LlmRequest> requests = new ArrayList<>();
    private final List<MetricPoint> points = new ArrayList<>();
    private final List<Invalid> invalid = new ArrayList<>();
    private int skipped;
    private int[] skippedByReason;
    private int cleanedDimensions;
    private boolean wholeMessage;

    /** The message could not be read as a whole: nothing of it is used. */
    public static ReadResult ofInvalid(InvalidReason reason, String detail) {
        ReadResult r = new ReadResult();
        r.invalid.add(new Invalid(reason, detail));
        r.wholeMessage = true;
        return r;
    }

    /**
     * Whether the whole message was refused (its spans could not be told apart), rather than some
     * of its spans.
     */
    public boolean wholeMessage() {
        return wholeMessage;
    }

    void add(LlmRequest request) {
        requests.add(request);
    }

    void add(MetricPoint point) {
        points.add(point);
    }

    /** The GenAI metric points read (an OTLP metrics message); empty for spans and events. */
    public List<MetricPoint> points() {
        return points;
    }

    void addInvalid(InvalidReason reason, String detail) {
        invalid.add(new Invalid(reason, detail));
    }

    void addSkipped(SkipReason reason) {
        skipped++;
        if (skippedByReason == null) {
            skippedByReason = new int[SkipReason.values().length];
        }
        skippedByReason[reason.ordinal()]++;
    }

    void addCleanedDimensions(int n) {
        cleanedDimensions += n;
    }

    /** Dimension values that had to be cleaned ({@link Dimensions}) in the requests read. */
    public int cleanedDimensions() {
        return cleanedDimensions;
    }

    public List<LlmRequest> requests() {
        return requests;
    }

    public List<Invalid> invalid() {
        return invalid;
    }

    /**
     * Spans (or metric points) that were read but are not model calls or tool executions: counted,
     * not treated as errors.
     */
    public int skipped() {
        return skipped;
    }

    /** The skipped spans of one reason. */
    public int skipped(SkipReason reason) {
        return skippedByReason == null ? 0 : skippedByReason[reason.ordinal()];
    }

    /**
     * The skipped spans by {@link SkipReason#ordinal()}, or null when none was skipped; the array
     * is this result's own.
     */
    public int[] skippedByReason() {
        return skippedByReason;
    }
}

package io.llmsentinel.functions.read;

import io.llmsentinel.functions.model.LlmRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * What one message held: the LLM requests read from it, how many spans were not LLM spans, and the
 * spans (or the whole message) that could not be read, each with its reason.
 */
public final class ReadResult {

    /** One part of a message that could not be read. */
    public record Invalid(InvalidReason reason, String detail) {}

    private final List<LlmRequest> requests = new ArrayList<>();
    private final List<Invalid> invalid = new ArrayList<>();
    private int skipped;

    public static ReadResult ofInvalid(InvalidReason reason, String detail) {
        ReadResult r = new ReadResult();
        r.invalid.add(new Invalid(reason, detail));
        return r;
    }

    void add(LlmRequest request) {
        requests.add(request);
    }

    void addInvalid(InvalidReason reason, String detail) {
        invalid.add(new Invalid(reason, detail));
    }

    void addSkipped() {
        skipped++;
    }

    public List<LlmRequest> requests() {
        return requests;
    }

    public List<Invalid> invalid() {
        return invalid;
    }

    /** Spans that were read but carry no GenAI attributes: counted, not treated as errors. */
    public int skipped() {
        return skipped;
    }
}

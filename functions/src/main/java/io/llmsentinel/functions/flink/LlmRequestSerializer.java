package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RequestKind;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The serializer of {@link LlmRequest} between operators: its fields written in a fixed order,
 * without the reflection of Flink's POJO serializer. The end-to-end profile (docs/performance.md)
 * showed the POJO serializer's field access by reflection at about a fifth of the job's CPU; every
 * request crosses the network once to be keyed and is copied between chained operators.
 *
 * <p>Requests are kept in state only while the detection orders a backlog by event time ({@code
 * AnomalyDetectionFunction}'s catch-up buffer), so the snapshot records the format: a savepoint
 * taken during a catch-up by a build with another format is refused, not misread.
 */
public final class LlmRequestSerializer extends RecordSerializer<LlmRequest> {
    private static final long serialVersionUID = 1L;

    public static final LlmRequestSerializer INSTANCE = new LlmRequestSerializer();

    private static final RequestKind[] KINDS = RequestKind.values();

    @Override
    public LlmRequest createInstance() {
        return new LlmRequest();
    }

    @Override
    public LlmRequest copy(LlmRequest from) {
        LlmRequest r = new LlmRequest();
        r.eventTimeMs = from.eventTimeMs;
        r.service = from.service;
        r.environment = from.environment;
        r.namespace = from.namespace;
        r.provider = from.provider;
        r.operation = from.operation;
        r.model = from.model;
        r.requestModel = from.requestModel;
        r.responseModel = from.responseModel;
        r.kind = from.kind;
        r.latencyMs = from.latencyMs;
        r.ttftMs = from.ttftMs;
        r.inputTokens = from.inputTokens;
        r.outputTokens = from.outputTokens;
        r.costUsd = from.costUsd;
        r.cachedInputTokens = from.cachedInputTokens;
        r.finishReason = from.finishReason;
        r.error = from.error;
        r.errorType = from.errorType;
        r.rateLimited = from.rateLimited;
        r.traceId = from.traceId;
        r.spanId = from.spanId;
        r.promptText = from.promptText;
        r.completionText = from.completionText;
        return r;
    }

    @Override
    public void serialize(LlmRequest r, DataOutputView out) throws IOException {
        out.writeLong(r.eventTimeMs);
        StringValue.writeString(r.service, out);
        StringValue.writeString(r.environment, out);
        StringValue.writeString(r.namespace, out);
        StringValue.writeString(r.provider, out);
        StringValue.writeString(r.operation, out);
        StringValue.writeString(r.model, out);
        StringValue.writeString(r.requestModel, out);
        StringValue.writeString(r.responseModel, out);
        out.writeByte(r.kind == null ? -1 : r.kind.ordinal());
        out.writeDouble(r.latencyMs);
        out.writeDouble(r.ttftMs);
        out.writeDouble(r.inputTokens);
        out.writeDouble(r.outputTokens);
        out.writeDouble(r.costUsd);
        out.writeDouble(r.cachedInputTokens);
        StringValue.writeString(r.finishReason, out);
        out.writeBoolean(r.error);
        StringValue.writeString(r.errorType, out);
        out.writeBoolean(r.rateLimited);
        StringValue.writeString(r.traceId, out);
        StringValue.writeString(r.spanId, out);
        StringValue.writeString(r.promptText, out);
        StringValue.writeString(r.completionText, out);
    }

    @Override
    public LlmRequest deserialize(DataInputView in) throws IOException {
        LlmRequest r = new LlmRequest();
        r.eventTimeMs = in.readLong();
        r.service = StringValue.readString(in);
        r.environment = StringValue.readString(in);
        r.namespace = StringValue.readString(in);
        r.provider = StringValue.readString(in);
        r.operation = StringValue.readString(in);
        r.model = StringValue.readString(in);
        r.requestModel = StringValue.readString(in);
        r.responseModel = StringValue.readString(in);
        int kind = in.readByte();
        r.kind = kind < 0 ? null : KINDS[kind];
        r.latencyMs = in.readDouble();
        r.ttftMs = in.readDouble();
        r.inputTokens = in.readDouble();
        r.outputTokens = in.readDouble();
        r.costUsd = in.readDouble();
        r.cachedInputTokens = in.readDouble();
        r.finishReason = StringValue.readString(in);
        r.error = in.readBoolean();
        r.errorType = StringValue.readString(in);
        r.rateLimited = in.readBoolean();
        r.traceId = StringValue.readString(in);
        r.spanId = StringValue.readString(in);
        r.promptText = StringValue.readString(in);
        r.completionText = StringValue.readString(in);
        return r;
    }

    @Override
    public TypeSerializerSnapshot<LlmRequest> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * The fields above, in that order. Format 2 added the request and response model names, the
     * kind, cached input tokens, the finish reason and the rate-limit flag (format 1 was never in
     * state).
     */
    public static final class Snapshot extends VersionedSnapshot<LlmRequest> {
        public Snapshot() {
            super(2, 2, 0, f -> INSTANCE, 2);
        }
    }
}

package io.llmsentinel.functions.flink;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * {@link Observation} on the keyed detection's shuffle: a byte for the kind, then the one value it
 * carries in its own explicit format. Never kept in state.
 */
public final class ObservationSerializer extends RecordSerializer<Observation> {
    private static final long serialVersionUID = 1L;

    public static final ObservationSerializer INSTANCE = new ObservationSerializer();

    private static final Observation.Kind[] KINDS = Observation.Kind.values();

    @Override
    public Observation createInstance() {
        return new Observation();
    }

    @Override
    public Observation copy(Observation from) {
        Observation o = new Observation();
        o.kind = from.kind;
        o.key = from.key;
        switch (from.kind) {
            case REQUEST -> o.request = LlmRequestSerializer.INSTANCE.copy(from.request);
            case METRIC_INTERVAL -> o.interval = WindowInputSerializer.INSTANCE.copy(from.interval);
            case EARLIER_WINDOW -> o.window = WindowStatsSerializer.INSTANCE.copy(from.window);
            case EARLIER_WINDOW_BASELINE ->
                    o.windowBaseline = KeyBaselineSerializer.INSTANCE.copy(from.windowBaseline);
        }
        return o;
    }

    @Override
    public void serialize(Observation o, DataOutputView out) throws IOException {
        out.writeByte(o.kind.ordinal());
        switch (o.kind) {
            case REQUEST -> LlmRequestSerializer.INSTANCE.serialize(o.request, out);
            case METRIC_INTERVAL -> WindowInputSerializer.INSTANCE.serialize(o.interval, out);
            case EARLIER_WINDOW -> {
                StringValue.writeString(o.key, out);
                WindowStatsSerializer.INSTANCE.serialize(o.window, out);
            }
            case EARLIER_WINDOW_BASELINE -> {
                StringValue.writeString(o.key, out);
                KeyBaselineSerializer.INSTANCE.serialize(o.windowBaseline, out);
            }
        }
    }

    @Override
    public Observation deserialize(DataInputView in) throws IOException {
        Observation o = new Observation();
        o.kind = KINDS[in.readByte()];
        switch (o.kind) {
            case REQUEST -> o.request = LlmRequestSerializer.INSTANCE.deserialize(in);
            case METRIC_INTERVAL -> o.interval = WindowInputSerializer.INSTANCE.deserialize(in);
            case EARLIER_WINDOW -> {
                o.key = StringValue.readString(in);
                o.window = WindowStatsSerializer.INSTANCE.deserialize(in);
            }
            case EARLIER_WINDOW_BASELINE -> {
                o.key = StringValue.readString(in);
                o.windowBaseline = KeyBaselineSerializer.INSTANCE.deserialize(in);
            }
        }
        return o;
    }

    @Override
    public TypeSerializerSnapshot<Observation> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Between operators only. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Observation> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}

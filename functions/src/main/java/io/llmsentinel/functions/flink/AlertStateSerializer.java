package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.alert.AlertState;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The explicit serializer of an open alert in keyed state. Format version 1 (0.3):
 *
 * <pre>
 *   string alertId, long openedAtMs, long lastAnomalousAtMs, int sentSeverity,
 *   double peakValue, double peakScore, long repeats, string anomalyType,
 *   7 x nullable string (service, model, provider, operation, environment, namespace, metric)
 * </pre>
 *
 * Strings in Flink's length-prefixed encoding ({@link StringValue}), so no value is too long. A new
 * format must bump the snapshot's version and read this one.
 */
public final class AlertStateSerializer extends TypeSerializerSingleton<AlertState> {
    private static final long serialVersionUID = 1L;

    public static final AlertStateSerializer INSTANCE = new AlertStateSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public AlertState createInstance() {
        return new AlertState();
    }

    @Override
    public AlertState copy(AlertState from) {
        return from.copy();
    }

    @Override
    public AlertState copy(AlertState from, AlertState reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(AlertState s, DataOutputView out) throws IOException {
        StringValue.writeString(s.alertId, out);
        out.writeLong(s.openedAtMs);
        out.writeLong(s.lastAnomalousAtMs);
        out.writeInt(s.sentSeverity);
        out.writeDouble(s.peakValue);
        out.writeDouble(s.peakScore);
        out.writeLong(s.repeats);
        StringValue.writeString(s.anomalyType, out);
        StringValue.writeString(s.service, out);
        StringValue.writeString(s.model, out);
        StringValue.writeString(s.provider, out);
        StringValue.writeString(s.operation, out);
        StringValue.writeString(s.environment, out);
        StringValue.writeString(s.namespace, out);
        StringValue.writeString(s.metric, out);
    }

    @Override
    public AlertState deserialize(DataInputView in) throws IOException {
        AlertState s = new AlertState();
        s.alertId = StringValue.readString(in);
        s.openedAtMs = in.readLong();
        s.lastAnomalousAtMs = in.readLong();
        s.sentSeverity = in.readInt();
        s.peakValue = in.readDouble();
        s.peakScore = in.readDouble();
        s.repeats = in.readLong();
        s.anomalyType = StringValue.readString(in);
        s.service = StringValue.readString(in);
        s.model = StringValue.readString(in);
        s.provider = StringValue.readString(in);
        s.operation = StringValue.readString(in);
        s.environment = StringValue.readString(in);
        s.namespace = StringValue.readString(in);
        s.metric = StringValue.readString(in);
        return s;
    }

    @Override
    public AlertState deserialize(AlertState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<AlertState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Format version 1; restores only version 1 (Flink refuses anything else). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<AlertState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}

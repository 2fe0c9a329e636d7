package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.incident.IncidentState;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The explicit, versioned serializer of a group's open incident. Format 1 (0.4):
 *
 * <pre>
 *   string incidentId, long openedAtMs, 4 x nullable string (service, model, provider, environment),
 *   int sent, long appearedAtMs, long lastSentAtMs, boolean changed, long timerAtMs,
 *   int n, n x (string alertId, metric, anomalyType, model, provider, operation, int severity,
 *               boolean open, long openedAtMs, double peakValue, string traceId, string spanId)
 * </pre>
 *
 * A new format must bump {@link #FORMAT} and read this one.
 */
public final class IncidentStateSerializer extends TypeSerializer<IncidentState> {
    private static final long serialVersionUID = 1L;

    public static final int FORMAT = 1;

    /** Alerts per incident kept, at most: a group has a handful of metrics per key. */
    public static final int MAX_MEMBERS = 256;

    public static final IncidentStateSerializer INSTANCE = new IncidentStateSerializer(FORMAT);

    private final int format;

    public IncidentStateSerializer(int format) {
        this.format = format;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<IncidentState> duplicate() {
        return this;
    }

    @Override
    public IncidentState createInstance() {
        return new IncidentState();
    }

    @Override
    public IncidentState copy(IncidentState from) {
        return from.copy();
    }

    @Override
    public IncidentState copy(IncidentState from, IncidentState reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(IncidentState s, DataOutputView out) throws IOException {
        StringValue.writeString(s.incidentId, out);
        out.writeLong(s.openedAtMs);
        StringValue.writeString(s.service, out);
        StringValue.writeString(s.model, out);
        StringValue.writeString(s.provider, out);
        StringValue.writeString(s.environment, out);
        out.writeInt(s.sent);
        out.writeLong(s.appearedAtMs);
        out.writeLong(s.lastSentAtMs);
        out.writeBoolean(s.changed);
        out.writeLong(s.timerAtMs);
        out.writeInt(s.members.size());
        for (IncidentState.Member m : s.members) {
            StringValue.writeString(m.alertId, out);
            StringValue.writeString(m.metric, out);
            StringValue.writeString(m.anomalyType, out);
            StringValue.writeString(m.model, out);
            StringValue.writeString(m.provider, out);
            StringValue.writeString(m.operation, out);
            out.writeInt(m.severity);
            out.writeBoolean(m.open);
            out.writeLong(m.openedAtMs);
            out.writeDouble(m.peakValue);
            StringValue.writeString(m.traceId, out);
            StringValue.writeString(m.spanId, out);
        }
    }

    @Override
    public IncidentState deserialize(DataInputView in) throws IOException {
        IncidentState s = new IncidentState();
        s.incidentId = StringValue.readString(in);
        s.openedAtMs = in.readLong();
        s.service = StringValue.readString(in);
        s.model = StringValue.readString(in);
        s.provider = StringValue.readString(in);
        s.environment = StringValue.readString(in);
        s.sent = in.readInt();
        s.appearedAtMs = in.readLong();
        s.lastSentAtMs = in.readLong();
        s.changed = in.readBoolean();
        s.timerAtMs = in.readLong();
        int n = in.readInt();
        if (n < 0 || n > MAX_MEMBERS) {
            throw new IOException("corrupt incident state: " + n + " alerts");
        }
        for (int i = 0; i < n; i++) {
            IncidentState.Member m = new IncidentState.Member();
            m.alertId = StringValue.readString(in);
            m.metric = StringValue.readString(in);
            m.anomalyType = StringValue.readString(in);
            m.model = StringValue.readString(in);
            m.provider = StringValue.readString(in);
            m.operation = StringValue.readString(in);
            m.severity = in.readInt();
            m.open = in.readBoolean();
            m.openedAtMs = in.readLong();
            m.peakValue = in.readDouble();
            m.traceId = StringValue.readString(in);
            m.spanId = StringValue.readString(in);
            s.members.add(m);
        }
        return s;
    }

    @Override
    public IncidentState deserialize(IncidentState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IncidentStateSerializer other && other.format == format;
    }

    @Override
    public int hashCode() {
        return 31 * IncidentStateSerializer.class.hashCode() + format;
    }

    @Override
    public TypeSerializerSnapshot<IncidentState> snapshotConfiguration() {
        return new Snapshot(format);
    }

    /** Records the format (snapshot version = format). */
    public static final class Snapshot extends VersionedSnapshot<IncidentState> {
        public Snapshot() {
            this(FORMAT);
        }

        Snapshot(int format) {
            super(
                    FORMAT,
                    1,
                    0,
                    f -> f == FORMAT ? INSTANCE : new IncidentStateSerializer(f),
                    format);
        }
    }
}

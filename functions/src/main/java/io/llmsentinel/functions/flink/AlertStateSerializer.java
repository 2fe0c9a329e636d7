package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.alert.AlertState;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The explicit, versioned serializer of the alert policy's state per key and metric.
 *
 * <p>Format 1 (0.3), an open alert:
 *
 * <pre>
 *   string alertId, long openedAtMs, long lastAnomalousAtMs, int sentSeverity,
 *   double peakValue, double peakScore, long repeats, string anomalyType,
 *   7 x nullable string (service, model, provider, operation, environment, namespace, metric)
 * </pre>
 *
 * <p>Format 2 (0.4) writes the same, {@code alertId} now nullable (evidence without an open alert),
 * then: {@code int n, n x (long at, byte severity)} (the evidence), {@code int m, m x (string
 * traceId, string spanId, double value, double score)} (the exemplars), {@code long timerAtMs}.
 * Format 1 is read as an open alert with no evidence, no exemplars and its timer unknown (0: the
 * function re-arms it at the next anomaly or at the timer Flink restored).
 *
 * <p>Strings in Flink's length-prefixed encoding ({@link StringValue}), so no value is too long. A
 * new format must bump {@link #FORMAT} and read the older ones.
 */
public final class AlertStateSerializer extends TypeSerializer<AlertState> {
    private static final long serialVersionUID = 1L;

    public static final int FORMAT = 2;
    static final int OLDEST_READABLE = 1;

    public static final AlertStateSerializer INSTANCE = new AlertStateSerializer(FORMAT);

    private final int format;

    /** A serializer of {@code format}: {@link #INSTANCE} writes the current one. */
    public AlertStateSerializer(int format) {
        this.format = format;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<AlertState> duplicate() {
        return this;
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
        if (format != FORMAT) {
            throw new IllegalStateException("format " + format + " is read, never written");
        }
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
        out.writeInt(s.evidenceAt.length);
        for (int i = 0; i < s.evidenceAt.length; i++) {
            out.writeLong(s.evidenceAt[i]);
            out.writeByte(s.evidenceSeverity[i]);
        }
        out.writeInt(s.exemplarTraceIds.length);
        for (int i = 0; i < s.exemplarTraceIds.length; i++) {
            StringValue.writeString(s.exemplarTraceIds[i], out);
            StringValue.writeString(s.exemplarSpanIds[i], out);
            out.writeDouble(s.exemplarValues[i]);
            out.writeDouble(s.exemplarScores[i]);
        }
        out.writeLong(s.timerAtMs);
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
        if (format < 2) {
            return s;
        }
        int n = bounded(in.readInt(), AlertState.MAX_EVIDENCE, "evidence");
        s.evidenceAt = new long[n];
        s.evidenceSeverity = new byte[n];
        for (int i = 0; i < n; i++) {
            s.evidenceAt[i] = in.readLong();
            s.evidenceSeverity[i] = in.readByte();
        }
        int m = bounded(in.readInt(), AlertState.MAX_EXEMPLARS, "exemplars");
        s.exemplarTraceIds = new String[m];
        s.exemplarSpanIds = new String[m];
        s.exemplarValues = new double[m];
        s.exemplarScores = new double[m];
        for (int i = 0; i < m; i++) {
            s.exemplarTraceIds[i] = StringValue.readString(in);
            s.exemplarSpanIds[i] = StringValue.readString(in);
            s.exemplarValues[i] = in.readDouble();
            s.exemplarScores[i] = in.readDouble();
        }
        s.timerAtMs = in.readLong();
        return s;
    }

    private static int bounded(int n, int max, String what) throws IOException {
        if (n < 0 || n > max) {
            throw new IOException(
                    "corrupt alert state: " + n + " " + what + " (at most " + max + ")");
        }
        return n;
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
    public boolean equals(Object o) {
        return o instanceof AlertStateSerializer other && other.format == format;
    }

    @Override
    public int hashCode() {
        return 31 * AlertStateSerializer.class.hashCode() + format;
    }

    @Override
    public TypeSerializerSnapshot<AlertState> snapshotConfiguration() {
        return new Snapshot(format);
    }

    /**
     * Records the format. Format 1 was written by Flink's {@code SimpleTypeSerializerSnapshot}
     * (snapshot versions up to 3); format f is snapshot version 3 + f.
     */
    public static final class Snapshot extends VersionedSnapshot<AlertState> {
        /** Used by Flink when reading a snapshot. */
        public Snapshot() {
            this(FORMAT);
        }

        Snapshot(int format) {
            super(
                    FORMAT,
                    OLDEST_READABLE,
                    3,
                    f -> f == FORMAT ? INSTANCE : new AlertStateSerializer(f),
                    format);
        }
    }
}

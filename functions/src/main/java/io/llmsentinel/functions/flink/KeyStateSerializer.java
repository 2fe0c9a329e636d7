package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.model.WindowStats;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The explicit, versioned serializer of {@link KeyState}. Its snapshot records two formats: its own
 * and the one of the request baselines inside it ({@link KeyBaselineSerializer}), so a change of
 * either is migrated on restore (read with the old formats, written with the current ones) or, if
 * this build cannot read it, refused instead of misread.
 *
 * <p>Format 1: {@code boolean hasRequests [, KeyBaseline in its format], short n, n x WindowStats}
 * ({@link WindowStatsSerializer}, format 1), {@code long backlogUntilMs}. Format 1 has not been in
 * a release yet; development builds before the backlog mark wrote it without the last field, and
 * their state is not read by this one (the first release starts from 0.3's layout, which is).
 */
public final class KeyStateSerializer extends TypeSerializer<KeyState> {
    private static final long serialVersionUID = 1L;

    static final int FORMAT_VERSION = 1;

    public static final KeyStateSerializer INSTANCE =
            new KeyStateSerializer(FORMAT_VERSION, KeyBaselineSerializer.INSTANCE);

    private final int formatVersion;
    private final KeyBaselineSerializer baselines;

    /**
     * A serializer of {@code formatVersion} whose request baselines are in {@code baselines}'
     * format: {@link #INSTANCE} in the job; tests build others to prove refusals.
     */
    public KeyStateSerializer(int formatVersion, KeyBaselineSerializer baselines) {
        this.formatVersion = formatVersion;
        this.baselines = baselines;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<KeyState> duplicate() {
        return this;
    }

    @Override
    public KeyState createInstance() {
        return new KeyState();
    }

    @Override
    public KeyState copy(KeyState from) {
        KeyState to = new KeyState();
        to.requests = from.requests == null ? null : baselines.copy(from.requests);
        to.backlogUntilMs = from.backlogUntilMs;
        to.windows = new WindowStats[from.windows.length];
        for (int i = 0; i < from.windows.length; i++) {
            to.windows[i] = WindowStatsSerializer.INSTANCE.copy(from.windows[i]);
        }
        return to;
    }

    @Override
    public KeyState copy(KeyState from, KeyState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(KeyState s, DataOutputView out) throws IOException {
        out.writeBoolean(s.requests != null);
        if (s.requests != null) {
            baselines.serialize(s.requests, out);
        }
        out.writeShort(s.windows.length);
        for (WindowStats w : s.windows) {
            WindowStatsSerializer.INSTANCE.serialize(w, out);
        }
        out.writeLong(s.backlogUntilMs);
    }

    @Override
    public KeyState deserialize(DataInputView in) throws IOException {
        KeyState s = new KeyState();
        if (in.readBoolean()) {
            s.requests = baselines.deserialize(in);
        }
        int n = in.readShort();
        s.windows = new WindowStats[n];
        for (int i = 0; i < n; i++) {
            s.windows[i] = WindowStatsSerializer.INSTANCE.deserialize(in);
        }
        s.backlogUntilMs = in.readLong();
        return s;
    }

    @Override
    public KeyState deserialize(KeyState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyStateSerializer other
                && other.formatVersion == formatVersion
                && other.baselines.equals(baselines);
    }

    @Override
    public int hashCode() {
        return 31 * formatVersion + baselines.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<KeyState> snapshotConfiguration() {
        return new Snapshot(formatVersion, baselines.formatVersion());
    }

    /** The two formats, checked on restore. */
    public static final class Snapshot implements TypeSerializerSnapshot<KeyState> {
        private int format;
        private int baselineFormat;

        /** Used by Flink when reading a snapshot. */
        public Snapshot() {
            this(FORMAT_VERSION, KeyBaselineSerializer.FORMAT_VERSION);
        }

        Snapshot(int format, int baselineFormat) {
            this.format = format;
            this.baselineFormat = baselineFormat;
        }

        @Override
        public int getCurrentVersion() {
            return format;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeInt(baselineFormat);
        }

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader cl)
                throws IOException {
            this.format = readVersion;
            this.baselineFormat = in.readInt();
        }

        @Override
        public TypeSerializer<KeyState> restoreSerializer() {
            return new KeyStateSerializer(
                    format,
                    baselineFormat == KeyBaselineSerializer.FORMAT_VERSION
                            ? KeyBaselineSerializer.INSTANCE
                            : new KeyBaselineSerializer(baselineFormat));
        }

        @Override
        public TypeSerializerSchemaCompatibility<KeyState> resolveSchemaCompatibility(
                TypeSerializerSnapshot<KeyState> oldSnapshot) {
            if (!(oldSnapshot instanceof Snapshot old)) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            if (old.format == format && old.baselineFormat == baselineFormat) {
                return TypeSerializerSchemaCompatibility.compatibleAsIs();
            }
            boolean readable =
                    old.format >= 1
                            && old.format <= format
                            && old.baselineFormat >= KeyBaselineSerializer.OLDEST_READABLE_VERSION
                            && old.baselineFormat <= baselineFormat;
            boolean current =
                    format == FORMAT_VERSION
                            && baselineFormat == KeyBaselineSerializer.FORMAT_VERSION;
            return readable && current
                    ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}

package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.detect.LevelShift;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.MetricState;
import io.llmsentinel.functions.detect.SeasonalProfile;
import io.llmsentinel.functions.detect.SurpriseRate;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The explicit, versioned serializer of a key's baselines in keyed state. Metrics are written by
 * name, so adding a metric (or reordering the enum) keeps old savepoints readable; a metric a
 * savepoint knows and this build does not is read and dropped.
 *
 * <p>Format version 1:
 *
 * <pre>
 *   long lastEventTimeMs, long lastWindowEndMs, int emptyWindowsJudged,
 *   byte hasDimensions [, 6 x nullable UTF],
 *   short n, n x (UTF metric, long count, double mean, variance, q1, median, q3, mad,
 *                 magnitude, cusumUp, cusumDown, int cusumUpCount, int cusumDownCount,
 *                 boolean lastAnomalous,
 *                 short seedSize, seedSize x double)
 * </pre>
 *
 * <p>Format version 2 (0.2) adds, after {@code lastAnomalous}: {@code double pointTail, scorePeak,
 * scorePeakPrevious, int scorePeakCount}.
 *
 * <p>Format version 3 (0.3) writes every string (dimensions, metric names) in Flink's own
 * length-prefixed encoding ({@link StringValue}) instead of {@code writeUTF}, which fails on values
 * over 64 KB; keeps two tail percentiles ({@code double pointQ99, pointQ999} in place of {@code
 * pointTail}); and adds, after {@code scorePeakCount}: {@code int recentVerdicts, boolean hasSeason
 * [, 48 x float bin, 48 x byte count, double sum, level, total, residual, long count]}.
 *
 * <p>Format version 4 (0.4) adds, after {@code emptyWindowsJudged}, {@code long firstEventTimeMs}
 * (when the key was first seen: the alert policy's quiet start; older state reads 0, seen long
 * ago); sizes the daily cycle by the series' sampling interval: {@code hasSeason [, short bins (0:
 * not sized yet), long firstTimeMs, bins x float bin, bins x byte count (whole values), double sum,
 * level, total, residual, long count]}; and adds, after it, {@code boolean hasSurprise [, double
 * evidence, usual, long count]} ({@link SurpriseRate}). Format 3's 48 half-hour bins migrate as 48
 * bins (their counts from quarters to values); the surprise rate starts anew. After the surprise
 * rate: {@code boolean hasShift [, double from, sigma, size, recent, int values, long
 * reportedAtMs]} ({@link LevelShift}).
 *
 * <p>Older state is migrated on restore: fields a format lacks start from a new state's values
 * (format 2's tail percentile becomes the 99.9th, the 99th starts in proportion; no verdict
 * history; the daily cycle is learned from the restore on), so the first values after an upgrade
 * score as they did before it.
 */
public final class KeyBaselineSerializer extends TypeSerializer<KeyBaseline> {
    private static final long serialVersionUID = 1L;

    /** Bump when the format changes, and teach {@link Snapshot} to read the old one. */
    static final int FORMAT_VERSION = 4;

    /** The oldest format this build still reads (and migrates to {@link #FORMAT_VERSION}). */
    static final int OLDEST_READABLE_VERSION = 1;

    private static final int DIMENSIONS = 6;

    public static final KeyBaselineSerializer INSTANCE = new KeyBaselineSerializer(FORMAT_VERSION);

    /** The format this serializer writes and claims in snapshots. */
    private final int formatVersion;

    /**
     * A serializer claiming {@code formatVersion}: {@link #INSTANCE} in the job; tests build one
     * with a bumped version to prove that a format change without a migration is refused.
     */
    public KeyBaselineSerializer(int formatVersion) {
        this.formatVersion = formatVersion;
    }

    /** The format this serializer reads and writes. */
    int formatVersion() {
        return formatVersion;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<KeyBaseline> duplicate() {
        return this;
    }

    @Override
    public KeyBaseline createInstance() {
        return new KeyBaseline();
    }

    @Override
    public KeyBaseline copy(KeyBaseline from) {
        KeyBaseline to = new KeyBaseline();
        to.lastEventTimeMs = from.lastEventTimeMs;
        to.lastWindowEndMs = from.lastWindowEndMs;
        to.emptyWindowsJudged = from.emptyWindowsJudged;
        to.firstEventTimeMs = from.firstEventTimeMs;
        to.dimensions = from.dimensions == null ? null : from.dimensions.clone();
        for (int i = 0; i < from.metrics.length; i++) {
            if (from.metrics[i] != null) {
                to.metrics[i] = from.metrics[i].copy();
            }
        }
        return to;
    }

    @Override
    public KeyBaseline copy(KeyBaseline from, KeyBaseline reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(KeyBaseline record, DataOutputView out) throws IOException {
        out.writeLong(record.lastEventTimeMs);
        out.writeLong(record.lastWindowEndMs);
        out.writeInt(record.emptyWindowsJudged);
        if (formatVersion >= 4) {
            out.writeLong(record.firstEventTimeMs);
        }
        out.writeBoolean(record.dimensions != null);
        if (record.dimensions != null) {
            for (int i = 0; i < DIMENSIONS; i++) {
                String d = i < record.dimensions.length ? record.dimensions[i] : null;
                out.writeBoolean(d != null);
                if (d != null) {
                    writeString(d, out);
                }
            }
        }
        int present = 0;
        for (MetricState m : record.metrics) {
            if (m != null) {
                present++;
            }
        }
        out.writeShort(present);
        Metric[] all = Metric.values();
        for (int i = 0; i < record.metrics.length; i++) {
            MetricState m = record.metrics[i];
            if (m == null) {
                continue;
            }
            writeString(all[i].code(), out);
            out.writeLong(m.count);
            out.writeDouble(m.mean);
            out.writeDouble(m.variance);
            out.writeDouble(m.q1);
            out.writeDouble(m.median);
            out.writeDouble(m.q3);
            out.writeDouble(m.mad);
            out.writeDouble(m.magnitude);
            out.writeDouble(m.cusumUp);
            out.writeDouble(m.cusumDown);
            out.writeInt(m.cusumUpCount);
            out.writeInt(m.cusumDownCount);
            out.writeBoolean(m.lastAnomalous);
            if (formatVersion == 2) {
                out.writeDouble(m.pointQ999);
            }
            if (formatVersion >= 3) {
                out.writeDouble(m.pointQ99);
                out.writeDouble(m.pointQ999);
            }
            if (formatVersion >= 2) {
                out.writeDouble(m.scorePeak);
                out.writeDouble(m.scorePeakPrevious);
                out.writeInt(m.scorePeakCount);
            }
            if (formatVersion >= 3) {
                out.writeInt(m.recentVerdicts);
                writeSeason(m.season, out);
            }
            if (formatVersion >= 4) {
                writeSurprise(m.surprise, out);
                writeShift(m.shift, out);
            }
            int seed = m.seed == null ? -1 : m.seedSize;
            out.writeShort(seed);
            for (int j = 0; j < seed; j++) {
                out.writeDouble(m.seed[j]);
            }
        }
    }

    /** Strings as Flink's own encoding (length-prefixed UTF-16 code units): any length. */
    private void writeString(String s, DataOutputView out) throws IOException {
        if (formatVersion >= 3) {
            StringValue.writeString(s, out);
        } else {
            out.writeUTF(s);
        }
    }

    private String readString(DataInputView in) throws IOException {
        return formatVersion >= 3 ? StringValue.readString(in) : in.readUTF();
    }

    private void writeSeason(SeasonalProfile p, DataOutputView out) throws IOException {
        out.writeBoolean(p != null);
        if (p == null) {
            return;
        }
        if (formatVersion >= 4) {
            out.writeShort(p.binCount());
            out.writeLong(p.firstTimeMs);
        } else if (p.binCount() != LEGACY_BINS) {
            throw new IllegalStateException("format 3 holds 48 bins, not " + p.binCount());
        }
        if (p.bins != null) {
            for (float f : p.bins) {
                out.writeFloat(f);
            }
            if (formatVersion >= 4) {
                out.write(p.counts);
            } else {
                for (byte c : p.counts) {
                    out.writeByte(Math.min(255, (c & 0xff) * LEGACY_QUARTERS));
                }
            }
        }
        out.writeDouble(p.sum);
        out.writeDouble(p.level);
        out.writeDouble(p.total);
        out.writeDouble(p.residual);
        out.writeLong(p.count);
    }

    private static void writeSurprise(SurpriseRate r, DataOutputView out) throws IOException {
        out.writeBoolean(r != null);
        if (r != null) {
            out.writeDouble(r.evidence);
            out.writeDouble(r.usual);
            out.writeLong(r.count);
        }
    }

    private static SurpriseRate readSurprise(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        SurpriseRate r = new SurpriseRate();
        r.evidence = in.readDouble();
        r.usual = in.readDouble();
        r.count = in.readLong();
        return r;
    }

    private static void writeShift(LevelShift sh, DataOutputView out) throws IOException {
        out.writeBoolean(sh != null);
        if (sh != null) {
            out.writeDouble(sh.from);
            out.writeDouble(sh.sigma);
            out.writeDouble(sh.size);
            out.writeDouble(sh.recent);
            out.writeInt(sh.values);
            out.writeLong(sh.reportedAtMs);
        }
    }

    private static LevelShift readShift(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        LevelShift sh = new LevelShift();
        sh.from = in.readDouble();
        sh.sigma = in.readDouble();
        sh.size = in.readDouble();
        sh.recent = in.readDouble();
        sh.values = in.readInt();
        sh.reportedAtMs = in.readLong();
        return sh;
    }

    /** Format 3's profile: 48 half-hour bins, counts in quarters of a value. */
    private static final int LEGACY_BINS = 48;

    private static final int LEGACY_QUARTERS = 4;

    private SeasonalProfile readSeason(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        SeasonalProfile p;
        if (formatVersion >= 4) {
            int n = in.readShort();
            p = n == 0 ? new SeasonalProfile() : SeasonalProfile.ofBins(n);
            p.firstTimeMs = in.readLong();
        } else {
            p = SeasonalProfile.ofBins(LEGACY_BINS);
        }
        if (p.bins != null) {
            for (int i = 0; i < p.bins.length; i++) {
                p.bins[i] = in.readFloat();
            }
            in.readFully(p.counts);
            if (formatVersion < 4) {
                // Format 3 counted quarters of a value (a value between two bin centres counted
                // towards both); a bin now counts whole values.
                for (int i = 0; i < p.counts.length; i++) {
                    p.counts[i] = (byte) ((p.counts[i] & 0xff) / LEGACY_QUARTERS);
                }
            }
        }
        p.sum = in.readDouble();
        p.level = in.readDouble();
        p.total = in.readDouble();
        p.residual = in.readDouble();
        p.count = in.readLong();
        return p;
    }

    @Override
    public KeyBaseline deserialize(DataInputView in) throws IOException {
        KeyBaseline b = new KeyBaseline();
        b.lastEventTimeMs = in.readLong();
        b.lastWindowEndMs = in.readLong();
        b.emptyWindowsJudged = in.readInt();
        b.firstEventTimeMs = formatVersion >= 4 ? in.readLong() : 0;
        if (in.readBoolean()) {
            b.dimensions = new String[DIMENSIONS];
            for (int i = 0; i < DIMENSIONS; i++) {
                b.dimensions[i] = in.readBoolean() ? readString(in) : null;
            }
        }
        int present = in.readShort();
        for (int i = 0; i < present; i++) {
            String code = readString(in);
            MetricState m = new MetricState();
            m.count = in.readLong();
            m.mean = in.readDouble();
            m.variance = in.readDouble();
            m.q1 = in.readDouble();
            m.median = in.readDouble();
            m.q3 = in.readDouble();
            m.mad = in.readDouble();
            m.magnitude = in.readDouble();
            m.cusumUp = in.readDouble();
            m.cusumDown = in.readDouble();
            m.cusumUpCount = in.readInt();
            m.cusumDownCount = in.readInt();
            m.lastAnomalous = in.readBoolean();
            if (formatVersion == 2) {
                // Format 2 kept one tail percentile (the 99.9th) of the point ratio; the 99th
                // starts at the same proportion as in a new state.
                m.pointQ999 = in.readDouble();
                m.pointQ99 = m.pointQ999 * MetricState.Q99_START / MetricState.Q999_START;
            }
            if (formatVersion >= 3) {
                m.pointQ99 = in.readDouble();
                m.pointQ999 = in.readDouble();
            }
            if (formatVersion >= 2) {
                m.scorePeak = in.readDouble();
                m.scorePeakPrevious = in.readDouble();
                m.scorePeakCount = in.readInt();
            }
            if (formatVersion >= 3) {
                m.recentVerdicts = in.readInt();
                m.season = readSeason(in);
            }
            if (formatVersion >= 4) {
                m.surprise = readSurprise(in);
                m.shift = readShift(in);
            }
            int seed = in.readShort();
            if (seed >= 0) {
                // MetricState grows the array as the rest of the warm-up arrives.
                m.seed = new double[Math.max(seed, 1)];
                m.seedSize = seed;
                for (int j = 0; j < seed; j++) {
                    m.seed[j] = in.readDouble();
                }
            }
            Metric metric = lookup(code);
            if (metric != null) {
                b.metrics[metric.ordinal()] = m;
            }
        }
        return b;
    }

    private static Metric lookup(String code) {
        for (Metric m : Metric.values()) {
            if (m.code().equals(code)) {
                return m;
            }
        }
        return null;
    }

    @Override
    public KeyBaseline deserialize(KeyBaseline reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyBaselineSerializer other && other.formatVersion == formatVersion;
    }

    @Override
    public int hashCode() {
        return 31 * KeyBaselineSerializer.class.hashCode() + formatVersion;
    }

    @Override
    public TypeSerializerSnapshot<KeyBaseline> snapshotConfiguration() {
        return new Snapshot(formatVersion);
    }

    /**
     * Records the format version in checkpoints and savepoints, and checks it on restore: the same
     * version restores as is; an older version this build can read (from {@link
     * #OLDEST_READABLE_VERSION}) is read with its own format and rewritten in the current one
     * (Flink's state migration); anything else, such as a newer format or a version bumped without
     * a migration, is incompatible, so Flink refuses the restore instead of misreading the bytes.
     */
    public static final class Snapshot implements TypeSerializerSnapshot<KeyBaseline> {
        private int version;

        /** Used by Flink when reading a snapshot. */
        public Snapshot() {
            this(FORMAT_VERSION);
        }

        Snapshot(int version) {
            this.version = version;
        }

        @Override
        public int getCurrentVersion() {
            return version;
        }

        @Override
        public void writeSnapshot(DataOutputView out) {}

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader cl) {
            this.version = readVersion;
        }

        @Override
        public TypeSerializer<KeyBaseline> restoreSerializer() {
            return version == FORMAT_VERSION ? INSTANCE : new KeyBaselineSerializer(version);
        }

        @Override
        public TypeSerializerSchemaCompatibility<KeyBaseline> resolveSchemaCompatibility(
                TypeSerializerSnapshot<KeyBaseline> oldSnapshot) {
            if (oldSnapshot instanceof Snapshot old && old.version == version) {
                return TypeSerializerSchemaCompatibility.compatibleAsIs();
            }
            if (oldSnapshot instanceof Snapshot old
                    && version == FORMAT_VERSION
                    && old.version >= OLDEST_READABLE_VERSION
                    && old.version < FORMAT_VERSION) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}

package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.read.MetricDeltas;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The explicit serializer of a metric series' last cumulative point in keyed state. Format version
 * 1 (0.3): {@code long startMs, long timeMs, long count, double sum, int n (-1: no histogram), n x
 * long bucket}. A new format must bump the snapshot's version and read this one.
 */
public final class MetricSeriesSerializer extends TypeSerializerSingleton<MetricDeltas.Last> {
    private static final long serialVersionUID = 1L;

    public static final MetricSeriesSerializer INSTANCE = new MetricSeriesSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public MetricDeltas.Last createInstance() {
        return new MetricDeltas.Last();
    }

    @Override
    public MetricDeltas.Last copy(MetricDeltas.Last from) {
        return from.copy();
    }

    @Override
    public MetricDeltas.Last copy(MetricDeltas.Last from, MetricDeltas.Last reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(MetricDeltas.Last l, DataOutputView out) throws IOException {
        out.writeLong(l.startMs);
        out.writeLong(l.timeMs);
        out.writeLong(l.count);
        out.writeDouble(l.sum);
        if (l.buckets == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(l.buckets.length);
            for (long b : l.buckets) {
                out.writeLong(b);
            }
        }
    }

    @Override
    public MetricDeltas.Last deserialize(DataInputView in) throws IOException {
        MetricDeltas.Last l = new MetricDeltas.Last();
        l.startMs = in.readLong();
        l.timeMs = in.readLong();
        l.count = in.readLong();
        l.sum = in.readDouble();
        int n = in.readInt();
        if (n >= 0) {
            l.buckets = new long[n];
            for (int i = 0; i < n; i++) {
                l.buckets[i] = in.readLong();
            }
        }
        return l;
    }

    @Override
    public MetricDeltas.Last deserialize(MetricDeltas.Last reuse, DataInputView in)
            throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<MetricDeltas.Last> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Format version 1. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<MetricDeltas.Last> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}

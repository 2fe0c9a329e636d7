package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.detect.Metric;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class KeyBaselineSerializerTest {

    private final KeyBaselineSerializer serializer = KeyBaselineSerializer.INSTANCE;

    @Test
    void roundTripsEveryField() throws Exception {
        KeyBaseline b = new KeyBaseline();
        b.lastEventTimeMs = 123456789L;
        b.forMetric(Metric.LATENCY_MS).add(100, 10);
        b.forMetric(Metric.LATENCY_MS).add(300, 10);
        b.forMetric(Metric.COST_USD).add(0.25, 10);

        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(b, out);
        KeyBaseline back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(back.lastEventTimeMs).isEqualTo(123456789L);
        assertThat(back.peek(Metric.LATENCY_MS).count).isEqualTo(2);
        assertThat(back.peek(Metric.LATENCY_MS).mean).isEqualTo(200.0);
        assertThat(back.peek(Metric.LATENCY_MS).variance).isEqualTo(10000.0);
        assertThat(back.peek(Metric.COST_USD).mean).isEqualTo(0.25);
        assertThat(back.peek(Metric.TTFT_MS)).isNull();
    }

    @Test
    void copyIsDeep() {
        KeyBaseline b = new KeyBaseline();
        b.forMetric(Metric.LATENCY_MS).add(1, 10);
        KeyBaseline c = serializer.copy(b);
        c.forMetric(Metric.LATENCY_MS).add(100, 10);
        assertThat(b.peek(Metric.LATENCY_MS).count).isEqualTo(1);
    }

    @Test
    void sameFormatIsCompatibleAsIs() throws Exception {
        TypeSerializerSnapshot<KeyBaseline> restored =
                writeAndRead(serializer.snapshotConfiguration());
        TypeSerializerSchemaCompatibility<KeyBaseline> c =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(c.isCompatibleAsIs()).isTrue();
        assertThat(restored.restoreSerializer()).isEqualTo(serializer);
    }

    @Test
    void unknownFormatVersionIsRejectedNotSilentlyRead() {
        TypeSerializerSnapshot<KeyBaseline> future = new KeyBaselineSerializer.Snapshot(99);
        assertThat(
                        serializer
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(future)
                                .isIncompatible())
                .isTrue();
    }

    private static TypeSerializerSnapshot<KeyBaseline> writeAndRead(
            TypeSerializerSnapshot<KeyBaseline> s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, s);
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()),
                KeyBaselineSerializerTest.class.getClassLoader());
    }
}

package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.MetricState;
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
        b.lastWindowEndMs = 42L;
        b.emptyWindowsJudged = 2;
        b.dimensions = new String[] {"svc", "m", "p", "chat", null, "ns"};
        var m =
                io.llmsentinel.functions.detect.MetricSettings.defaults(
                        io.llmsentinel.functions.detect.Direction.UP, false, 1.0);
        b.forMetric(Metric.LATENCY_MS).learn(100, 100, m);
        b.forMetric(Metric.LATENCY_MS).learn(300, 300, m);
        b.forMetric(Metric.COST_USD).learn(0.25, 0.25, m);
        var done = b.forMetric(Metric.TTFT_MS);
        for (int i = 0; i < 40; i++) {
            done.learn(i, i, m);
        }
        done.cusumUp = 1.5;

        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(b, out);
        KeyBaseline back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(back.lastEventTimeMs).isEqualTo(123456789L);
        assertThat(back.peek(Metric.LATENCY_MS).count).isEqualTo(2);
        assertThat(back.peek(Metric.LATENCY_MS).mean).isEqualTo(200.0);
        assertThat(back.peek(Metric.LATENCY_MS).variance).isEqualTo(10000.0);
        assertThat(back.peek(Metric.LATENCY_MS).seedSize).isEqualTo(2);
        assertThat(back.peek(Metric.LATENCY_MS).seed).startsWith(100.0, 300.0);
        assertThat(back.peek(Metric.COST_USD).mean).isEqualTo(0.25);
        var ttft = back.peek(Metric.TTFT_MS);
        assertThat(ttft.seed).isNull();
        assertThat(ttft.median).isEqualTo(done.median);
        assertThat(ttft.q1).isEqualTo(done.q1);
        assertThat(ttft.q3).isEqualTo(done.q3);
        assertThat(ttft.mad).isEqualTo(done.mad);
        assertThat(ttft.cusumUp).isEqualTo(1.5);
        assertThat(back.peek(Metric.OUTPUT_TOKENS)).isNull();
        assertThat(back.lastWindowEndMs).isEqualTo(42L);
        assertThat(back.emptyWindowsJudged).isEqualTo(2);
        assertThat(back.dimensions).containsExactly("svc", "m", "p", "chat", null, "ns");
    }

    @Test
    void roundTripsTheNewFieldsOfFormat3() throws Exception {
        KeyBaseline b = new KeyBaseline();
        // writeUTF (format 1 and 2) fails on strings over 64 KB; a dimension of any length fits.
        String huge = "s".repeat(70_000) + "\u0000\uD800";
        b.dimensions = new String[] {huge, "m", "p", "chat", "prod", null};
        MetricState s = b.forMetric(Metric.REQUEST_RATE);
        s.pointQ99 = 0.7;
        s.pointQ999 = 1.3;
        s.recentVerdicts = 0b1011;
        s.season = new io.llmsentinel.functions.detect.SeasonalProfile();
        for (int i = 0; i < 500; i++) {
            s.season.learn(i * 900_000L, Math.sin(i / 10.0), 1500);
        }

        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(b, out);
        KeyBaseline back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(back.dimensions[0]).isEqualTo(huge);
        MetricState r = back.peek(Metric.REQUEST_RATE);
        assertThat(r.pointQ99).isEqualTo(0.7);
        assertThat(r.pointQ999).isEqualTo(1.3);
        assertThat(r.recentVerdicts).isEqualTo(0b1011);
        assertThat(r.recentAnomalous(2)).isEqualTo(2);
        assertThat(r.recentAnomalous(3)).isEqualTo(2);
        assertThat(r.recentAnomalous(32)).isEqualTo(3);
        assertThat(r.season.bins).containsExactly(s.season.bins);
        assertThat(r.season.counts).containsExactly(s.season.counts);
        assertThat(r.season.expected(123_456_789L)).isEqualTo(s.season.expected(123_456_789L));
        assertThat(r.season.weight()).isEqualTo(s.season.weight());
        assertThat(b.forMetric(Metric.LATENCY_MS).season)
                .as("no profile unless watched so")
                .isNull();
    }

    @Test
    void copyIsDeep() {
        KeyBaseline b = new KeyBaseline();
        var m =
                io.llmsentinel.functions.detect.MetricSettings.defaults(
                        io.llmsentinel.functions.detect.Direction.UP, false, 1.0);
        b.forMetric(Metric.LATENCY_MS).learn(1, 1, m);
        KeyBaseline c = serializer.copy(b);
        c.forMetric(Metric.LATENCY_MS).learn(100, 100, m);
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

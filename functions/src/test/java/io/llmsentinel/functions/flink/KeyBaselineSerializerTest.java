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
    void roundTripsTheFieldsAddedSinceFormat3() throws Exception {
        KeyBaseline b = new KeyBaseline();
        // writeUTF (format 1 and 2) fails on strings over 64 KB; a dimension of any length fits.
        String huge = "s".repeat(70_000) + "\u0000\uD800";
        b.dimensions = new String[] {huge, "m", "p", "chat", "prod", null};
        MetricState s = b.forMetric(Metric.REQUEST_RATE);
        s.pointQ99 = 0.7;
        s.pointQ999 = 1.3;
        s.recentVerdicts = 0b1011;
        s.surprise = new io.llmsentinel.functions.detect.SurpriseRate();
        s.surprise.evidence = 3.5;
        s.surprise.usual = 0.02;
        s.surprise.count = 4_000;
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
        assertThat(r.season.binCount()).as("15-minute values, 15-minute bins").isEqualTo(96);
        assertThat(r.surprise.evidence).isEqualTo(3.5);
        assertThat(r.surprise.usual).isEqualTo(0.02);
        assertThat(r.surprise.count).isEqualTo(4_000L);
        assertThat(b.forMetric(Metric.LATENCY_MS).season)
                .as("no profile unless watched so")
                .isNull();
    }

    /**
     * Format 3 (0.3) bytes written field by field as that release wrote them, with a daily cycle of
     * 48 half-hour bins whose counts are in quarters of a value: they restore as a 48-bin profile
     * counting whole values, and go on in format 4.
     */
    @Test
    void aFormat3DailyCycleMigratesTo48BinsOfWholeValues() throws Exception {
        DataOutputSerializer v3 = new DataOutputSerializer(512);
        v3.writeLong(1_000L); // lastEventTimeMs
        v3.writeLong(2_000L); // lastWindowEndMs
        v3.writeInt(0); // emptyWindowsJudged
        v3.writeBoolean(false); // no dimensions
        v3.writeShort(1);
        org.apache.flink.types.StringValue.writeString("request_rate", v3);
        v3.writeLong(5_000L); // count
        for (double d : new double[] {100, 25, 96, 100, 104, 3, 100, 0.5, 0.25}) {
            v3.writeDouble(d); // mean, variance, q1, median, q3, mad, magnitude, cusum up/down
        }
        v3.writeInt(2);
        v3.writeInt(1);
        v3.writeBoolean(false); // lastAnomalous
        v3.writeDouble(0.8); // pointQ99
        v3.writeDouble(1.4); // pointQ999
        v3.writeDouble(0.3); // scorePeak
        v3.writeDouble(0.2); // scorePeakPrevious
        v3.writeInt(7); // scorePeakCount
        v3.writeInt(0b101); // recentVerdicts
        v3.writeBoolean(true); // hasSeason
        for (int i = 0; i < 48; i++) {
            v3.writeFloat(i < 24 ? -10f : 10f); // night low, day high
        }
        for (int i = 0; i < 48; i++) {
            v3.writeByte(200); // 50 values, in quarters
        }
        v3.writeDouble(0); // sum
        v3.writeDouble(100); // level
        v3.writeDouble(100); // total
        v3.writeDouble(10); // residual
        v3.writeLong(5_000L); // count
        v3.writeShort(-1); // no warm-up seed

        KeyBaseline b =
                new KeyBaselineSerializer(3)
                        .deserialize(new DataInputDeserializer(v3.getCopyOfBuffer()));

        MetricState m = b.peek(Metric.REQUEST_RATE);
        assertThat(m.count).isEqualTo(5_000L);
        assertThat(m.pointQ999).isEqualTo(1.4);
        assertThat(m.recentVerdicts).isEqualTo(0b101);
        assertThat(m.surprise).isNull();
        assertThat(m.season.binCount()).isEqualTo(48);
        assertThat(m.season.counts[0] & 0xff).as("whole values").isEqualTo(50);
        assertThat(m.season.expected(3 * 3_600_000L)).isEqualTo(-10.0); // 03:00
        assertThat(m.season.expected(15 * 3_600_000L)).isEqualTo(10.0); // 15:00
        assertThat(m.season.weight()).isEqualTo(1.0); // explains 90% of the variance

        DataOutputSerializer v4 = new DataOutputSerializer(512);
        serializer.serialize(b, v4);
        MetricState again =
                serializer
                        .deserialize(new DataInputDeserializer(v4.getCopyOfBuffer()))
                        .peek(Metric.REQUEST_RATE);
        assertThat(again.season.bins).containsExactly(m.season.bins);
        assertThat(again.season.counts).containsExactly(m.season.counts);
        assertThat(again.season.level).isEqualTo(100.0);
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

package io.llmsentinel.functions.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RequestKind;
import io.llmsentinel.functions.model.WindowInput;
import io.llmsentinel.functions.model.WindowStats;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The explicit serializers of the records that cross the network (requests, window inputs). */
class ExplicitSerializersTest {

    @Test
    void flinkUsesTheExplicitSerializers() {
        TypeInformation<LlmRequest> requests = TypeInformation.of(LlmRequest.class);
        assertThat(requests).isSameAs(ExplicitTypeInfo.LLM_REQUEST);
        assertThat(requests.createSerializer(new org.apache.flink.api.common.ExecutionConfig()))
                .isSameAs(LlmRequestSerializer.INSTANCE);
        TypeInformation<WindowInput> inputs = TypeInformation.of(WindowInput.class);
        assertThat(inputs).isSameAs(ExplicitTypeInfo.WINDOW_INPUT);
        assertThat(inputs.createSerializer(new org.apache.flink.api.common.ExecutionConfig()))
                .isSameAs(WindowInputSerializer.INSTANCE);
        assertThat(inputs).isNotEqualTo(requests);
    }

    @Test
    void windowInputsRoundTripWithAndWithoutHistograms() throws Exception {
        LlmRequest r = new LlmRequest();
        r.service = "support-bot";
        r.model = "gpt-4o";
        r.eventTimeMs = 1_764_000_000_123L;
        r.error = true;
        r.costUsd = 0.25;
        r.inputTokens = 10;
        r.outputTokens = 5;
        WindowInput request = WindowInput.of(r); // namespace etc. null, no histogram
        WindowInput interval = new WindowInput();
        interval.service = "s";
        interval.metricKind = 2;
        interval.metricCount = 7;
        interval.metricSum = 12.5;
        interval.bounds = new double[] {100, 250, 1000};
        interval.buckets = new long[] {1, 2, 3, 1};
        interval.max = 2400;
        WindowInput emptyHistogram = new WindowInput();
        emptyHistogram.bounds = new double[0];
        emptyHistogram.buckets = new long[0];
        for (WindowInput w : new WindowInput[] {request, interval, emptyHistogram}) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            WindowInputSerializer.INSTANCE.serialize(w, out);
            WindowInput back =
                    WindowInputSerializer.INSTANCE.deserialize(
                            new DataInputDeserializer(out.getCopyOfBuffer()));
            assertSameFields(WindowInput.class, back, w, "serialized");
            WindowInput copy = WindowInputSerializer.INSTANCE.copy(w);
            assertSameFields(WindowInput.class, copy, w, "copied");
            if (w.buckets != null) {
                assertThat(copy.buckets).isNotSameAs(w.buckets);
            }
        }
    }

    @Test
    void roundTripsEveryFieldIncludingNullsNaNAndLongText() throws Exception {
        LlmRequest full = new LlmRequest();
        full.eventTimeMs = 1_764_000_000_123L;
        full.service = "support-bot";
        full.environment = "prod";
        full.namespace = "";
        full.provider = "openai";
        full.operation = "chat";
        full.model = "gpt-4o";
        full.requestModel = "gpt-4o";
        full.responseModel = "gpt-4o-2024-08-06";
        full.kind = RequestKind.TOOL_EXECUTION;
        full.latencyMs = 812.5;
        full.ttftMs = 120;
        full.inputTokens = 1200;
        full.outputTokens = 340;
        full.costUsd = 0.0123;
        full.cachedInputTokens = 1024;
        full.finishReason = "length";
        full.error = true;
        full.errorType = "rate_limit";
        full.rateLimited = true;
        full.traceId = "0af7651916cd43dd8448eb211c80319c";
        full.spanId = "b7ad6b7169203331";
        full.promptText = "é".repeat(70_000) + "\uD83D\uDE00";
        full.completionText = "ok";

        LlmRequest sparse = new LlmRequest(); // nulls and NaN everywhere
        sparse.service = "s";
        sparse.kind = null;

        for (LlmRequest r : new LlmRequest[] {full, sparse}) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            LlmRequestSerializer.INSTANCE.serialize(r, out);
            LlmRequest back =
                    LlmRequestSerializer.INSTANCE.deserialize(
                            new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(back).isEqualTo(r);
            assertThat(back.errorType).isEqualTo(r.errorType);
            assertThat(back.traceId).isEqualTo(r.traceId);
            assertThat(back.spanId).isEqualTo(r.spanId);
            assertThat(back.promptText).isEqualTo(r.promptText);
            assertThat(back.completionText).isEqualTo(r.completionText);
            assertThat(back.namespace).isEqualTo(r.namespace);
            assertThat(LlmRequestSerializer.INSTANCE.copy(r)).isEqualTo(r).isNotSameAs(r);
        }
    }

    @Test
    void itsSnapshotRestoresItAsIs() {
        var snapshot = LlmRequestSerializer.INSTANCE.snapshotConfiguration();
        TypeSerializerSchemaCompatibility<LlmRequest> c =
                snapshot.resolveSchemaCompatibility(
                        LlmRequestSerializer.INSTANCE.snapshotConfiguration());
        assertThat(c.isCompatibleAsIs()).isTrue();
        assertThat(snapshot.restoreSerializer()).isSameAs(LlmRequestSerializer.INSTANCE);
        var inputs = WindowInputSerializer.INSTANCE.snapshotConfiguration();
        assertThat(
                        inputs.resolveSchemaCompatibility(
                                        WindowInputSerializer.INSTANCE.snapshotConfiguration())
                                .isCompatibleAsIs())
                .isTrue();
        assertThat(inputs.restoreSerializer()).isSameAs(WindowInputSerializer.INSTANCE);
    }

    @Test
    void everyFieldOfTheClassIsCarried() throws Exception {
        // A field added to a record class but not to its serializer would vanish between
        // operators.
        everyFieldCarried(LlmRequest.class, LlmRequestSerializer.INSTANCE);
        everyFieldCarried(WindowInput.class, WindowInputSerializer.INSTANCE);
        everyFieldCarried(WindowStats.class, WindowStatsSerializer.INSTANCE);
    }

    /** Each kind of observation crosses the keyed detection's shuffle with what it carries. */
    @Test
    void observationsRoundTripEachKind() throws Exception {
        LlmRequest r = new LlmRequest();
        r.service = "support-bot";
        r.latencyMs = 1234;
        WindowInput interval = new WindowInput();
        interval.service = "s";
        interval.metricCount = 7;
        WindowStats counts = new WindowStats();
        counts.windowStartMs = 60_000;
        counts.windowEndMs = 120_000;
        counts.requests = 600;
        KeyBaseline baseline = new KeyBaseline();
        baseline.lastWindowEndMs = 120_000;
        baseline.forMetric(Metric.REQUEST_RATE).count = 40;
        for (Observation o :
                new Observation[] {
                    Observation.of(r),
                    Observation.of(interval),
                    Observation.earlierWindow("k", counts),
                    Observation.earlierWindowBaseline("k", baseline)
                }) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            ObservationSerializer.INSTANCE.serialize(o, out);
            for (Observation back :
                    List.of(
                            ObservationSerializer.INSTANCE.deserialize(
                                    new DataInputDeserializer(out.getCopyOfBuffer())),
                            ObservationSerializer.INSTANCE.copy(o))) {
                assertThat(back.kind).isEqualTo(o.kind);
                assertThat(back.key).isEqualTo(o.key);
                switch (o.kind) {
                    case REQUEST -> assertThat(back.request).isEqualTo(r);
                    case METRIC_INTERVAL -> assertThat(back.interval.metricCount).isEqualTo(7);
                    case EARLIER_WINDOW -> assertThat(back.window.requests).isEqualTo(600);
                    case EARLIER_WINDOW_BASELINE -> {
                        assertThat(back.windowBaseline.lastWindowEndMs).isEqualTo(120_000);
                        assertThat(back.windowBaseline.peek(Metric.REQUEST_RATE).count)
                                .isEqualTo(40);
                    }
                }
            }
        }
        assertThat(
                        TypeInformation.of(Observation.class)
                                .createSerializer(
                                        new org.apache.flink.api.common.ExecutionConfig()))
                .isSameAs(ObservationSerializer.INSTANCE);
    }

    private static <T> void everyFieldCarried(Class<T> type, TypeSerializer<T> serializer)
            throws Exception {
        T r = type.getDeclaredConstructor().newInstance();
        int n = 0;
        for (Field f : type.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            n++;
            if (f.getType() == String.class) {
                f.set(r, "v" + n);
            } else if (f.getType() == double.class) {
                f.setDouble(r, n + 0.5);
            } else if (f.getType() == long.class) {
                f.setLong(r, n);
            } else if (f.getType() == int.class) {
                f.setInt(r, n);
            } else if (f.getType() == boolean.class) {
                f.setBoolean(r, true);
            } else if (f.getType() == double[].class) {
                f.set(r, new double[] {n, n + 0.25});
            } else if (f.getType() == long[].class) {
                f.set(r, new long[] {n, n + 1, n + 2});
            } else if (f.getType().isEnum()) {
                // the last constant: the default of an enum field is usually the first
                Object[] constants = f.getType().getEnumConstants();
                f.set(r, constants[constants.length - 1]);
            } else {
                throw new AssertionError("a field type the test does not know: " + f);
            }
        }
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(r, out);
        T back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertSameFields(type, back, r, "serialized");
        assertSameFields(type, serializer.copy(r), r, "copied");
    }

    private static <T> void assertSameFields(Class<T> type, T actual, T expected, String how)
            throws Exception {
        for (Field f : type.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                assertThat(f.get(actual))
                        .as("%s %s.%s", how, type.getSimpleName(), f.getName())
                        .isEqualTo(f.get(expected));
            }
        }
    }
}

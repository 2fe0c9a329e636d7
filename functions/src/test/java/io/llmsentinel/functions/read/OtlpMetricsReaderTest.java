package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.model.MetricPoint;
import io.llmsentinel.testkit.OtlpJsonMetrics;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongHistogram;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OtlpMetricsReaderTest {
    static final long START_NANOS = 1_764_000_000_000_000_000L;
    private final OtlpMetricsReader reader = new OtlpMetricsReader(1 << 20);

    static byte[] fixture() throws IOException {
        try (InputStream in =
                OtlpMetricsReaderTest.class.getResourceAsStream("/otlp/metrics.json")) {
            return in.readAllBytes();
        }
    }

    @Test
    void officialExampleHasNoGenAiMetricsAndIsSkippedWhole() throws IOException {
        ReadResult r = reader.read(fixture());

        assertThat(r.invalid()).isEmpty();
        assertThat(r.points()).isEmpty();
        assertThat(r.skipped()).isEqualTo(4); // a counter, a gauge, a histogram, an exponential one
    }

    @Test
    void readsTheOfficialHistogramShapeUnderAGenAiName() throws IOException {
        String json =
                new String(fixture(), StandardCharsets.UTF_8)
                        .replace("\"my.histogram\"", "\"gen_ai.client.operation.duration\"")
                        .replace(
                                "\"unit\": \"1\",\n              \"description\": \"I am a Histogram\"",
                                "\"unit\": \"s\",\n              \"description\": \"I am a Histogram\"");
        ReadResult r = reader.read(json.getBytes(StandardCharsets.UTF_8));

        assertThat(r.invalid()).isEmpty();
        assertThat(r.skipped()).isEqualTo(3);
        MetricPoint p = r.points().get(0);
        assertThat(p.kind).isEqualTo(MetricPoint.Kind.DURATION);
        assertThat(p.service).isEqualTo("my.service");
        assertThat(p.cumulative).isFalse();
        assertThat(p.count).isEqualTo(2);
        assertThat(p.sum).isEqualTo(2000.0); // seconds to milliseconds
        assertThat(p.bounds).containsExactly(1000.0);
        assertThat(p.buckets).containsExactly(1, 1);
        assertThat(p.max).isEqualTo(2000.0);
        assertThat(p.timeMs).isEqualTo(1_544_712_660_300L);
    }

    @Test
    void agentAndToolDurationsAreSkippedAndModelsNamedAsForSpans() {
        try (OtlpJsonMetrics sdk =
                new OtlpJsonMetrics(
                        OtlpJsonMetrics.attributes("service.name", "chat-api"),
                        false,
                        START_NANOS)) {
            DoubleHistogram duration =
                    sdk.meter("io.opentelemetry.genai")
                            .histogramBuilder("gen_ai.client.operation.duration")
                            .setUnit("s")
                            .build();
            for (String operation : new String[] {"chat", "invoke_agent", "execute_tool"}) {
                duration.record(
                        0.8,
                        Attributes.of(
                                AttributeKey.stringKey("gen_ai.provider.name"), "openai",
                                AttributeKey.stringKey("gen_ai.request.model"), "gpt-4o",
                                AttributeKey.stringKey("gen_ai.response.model"),
                                        "gpt-4o-2024-08-06",
                                AttributeKey.stringKey("gen_ai.operation.name"), operation));
            }
            sdk.advance(60_000);
            ReadResult r = reader.read(sdk.collect());

            assertThat(r.invalid()).isEmpty();
            assertThat(r.points())
                    .singleElement()
                    .satisfies(
                            p -> {
                                assertThat(p.operation).isEqualTo("chat");
                                assertThat(p.model).isEqualTo("gpt-4o");
                            });
            assertThat(r.skipped(SkipReason.AGENT)).isEqualTo(1);
            assertThat(r.skipped(SkipReason.OTHER_OPERATION)).isEqualTo(1);
        }
    }

    /** What the OpenTelemetry Java SDK sends, for each temporality. */
    @Test
    void readsSdkGenAiHistogramsDeltaAndCumulative() {
        for (boolean cumulative : new boolean[] {false, true}) {
            try (OtlpJsonMetrics sdk =
                    new OtlpJsonMetrics(
                            OtlpJsonMetrics.attributes(
                                    "service.name",
                                    "chat-api",
                                    "deployment.environment.name",
                                    "prod"),
                            cumulative,
                            START_NANOS)) {
                DoubleHistogram duration =
                        sdk.meter("io.opentelemetry.genai")
                                .histogramBuilder("gen_ai.client.operation.duration")
                                .setUnit("s")
                                .build();
                LongHistogram tokens =
                        sdk.meter("io.opentelemetry.genai")
                                .histogramBuilder("gen_ai.client.token.usage")
                                .setUnit("{token}")
                                .ofLongs()
                                .build();
                Attributes call =
                        Attributes.of(
                                AttributeKey.stringKey("gen_ai.provider.name"), "openai",
                                AttributeKey.stringKey("gen_ai.request.model"), "gpt-4o",
                                AttributeKey.stringKey("gen_ai.operation.name"), "chat");
                sdk.advance(60_000);
                duration.record(0.8, call);
                duration.record(1.2, call);
                tokens.record(120, call.toBuilder().put("gen_ai.token.type", "input").build());
                tokens.record(30, call.toBuilder().put("gen_ai.token.type", "output").build());
                sdk.advance(1_000);
                byte[] first = sdk.collect();
                sdk.advance(59_000);
                duration.record(2.0, call);
                byte[] second = sdk.collect();

                ReadResult r1 = reader.read(first);
                assertThat(r1.invalid()).as("cumulative=%s", cumulative).isEmpty();
                assertThat(r1.points()).hasSize(3);
                MetricPoint d =
                        r1.points().stream()
                                .filter(p -> p.kind == MetricPoint.Kind.DURATION)
                                .findFirst()
                                .orElseThrow();
                assertThat(d.cumulative).isEqualTo(cumulative);
                assertThat(d.count).isEqualTo(2);
                assertThat(d.sum).isCloseTo(2000.0, org.assertj.core.data.Offset.offset(1e-6));
                assertThat(d.service).isEqualTo("chat-api");
                assertThat(d.environment).isEqualTo("prod");
                assertThat(d.provider).isEqualTo("openai");
                assertThat(d.model).isEqualTo("gpt-4o");
                assertThat(d.operation).isEqualTo("chat");
                assertThat(d.buckets).isNotNull();
                assertThat(r1.points())
                        .anySatisfy(
                                p -> {
                                    assertThat(p.kind).isEqualTo(MetricPoint.Kind.INPUT_TOKENS);
                                    assertThat(p.sum).isEqualTo(120.0);
                                })
                        .anySatisfy(
                                p -> {
                                    assertThat(p.kind).isEqualTo(MetricPoint.Kind.OUTPUT_TOKENS);
                                    assertThat(p.sum).isEqualTo(30.0);
                                });

                MetricPoint d2 =
                        reader.read(second).points().stream()
                                .filter(p -> p.kind == MetricPoint.Kind.DURATION)
                                .findFirst()
                                .orElseThrow();
                assertThat(d2.seriesId).isEqualTo(d.seriesId);
                // cumulative: totals since the start; delta: only the new call
                assertThat(d2.count).isEqualTo(cumulative ? 3 : 1);
                assertThat(d2.startTimeMs).isEqualTo(cumulative ? d.startTimeMs : d.timeMs);
            }
        }
    }

    @Test
    void badPointsAreInvalidWithTheirReasonAndTheOthersCount() {
        String point =
                "{\"startTimeUnixNano\":\"1764000000000000000\",\"timeUnixNano\":\"1764000060000000000\","
                        + "\"count\":\"%s\",\"sum\":1.5,\"bucketCounts\":[%s],\"explicitBounds\":[1],"
                        + "\"attributes\":[{\"key\":\"gen_ai.system\",\"value\":{\"stringValue\":\"openai\"}}]}";
        String json =
                "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                        + "\"value\":{\"stringValue\":\"svc\"}}]},\"scopeMetrics\":[{\"metrics\":["
                        + "{\"name\":\"gen_ai.client.operation.duration\",\"unit\":\"s\",\"histogram\":"
                        + "{\"aggregationTemporality\":2,\"dataPoints\":["
                        + String.format(point, "2", "\"1\",\"1\"")
                        + ","
                        + String.format(point, "3", "\"1\",\"1\"")
                        + ","
                        + String.format(point, "-1", "\"0\",\"0\"")
                        + "]}},"
                        + "{\"name\":\"gen_ai.client.token.usage\",\"histogram\":{\"aggregationTemporality\":1,"
                        + "\"dataPoints\":["
                        + String.format(point, "1", "\"1\",\"0\"")
                        + "]}}]}]}]}";
        ReadResult r = reader.read(json.getBytes(StandardCharsets.UTF_8));

        assertThat(r.points()).hasSize(1);
        assertThat(r.invalid())
                .extracting(ReadResult.Invalid::reason)
                .containsExactly(
                        InvalidReason.INVALID_VALUE, // buckets add up to 2, not 3
                        InvalidReason.INVALID_VALUE, // a negative count
                        InvalidReason.MISSING_FIELD); // token usage without a token type
        assertThat(r.invalid().get(0).detail()).contains("add up to 2");
    }

    /**
     * A histogram of more buckets than a window keeps is refused, not stored in the key's state.
     */
    @Test
    void aHistogramOfTooManyBucketsIsRefused() {
        int nb = OtlpMetricsReader.MAX_BUCKETS + 1;
        StringBuilder counts = new StringBuilder();
        StringBuilder bounds = new StringBuilder();
        for (int i = 0; i < nb; i++) {
            counts.append(i == 0 ? "" : ",").append(i == 0 ? "\"1\"" : "\"0\"");
            if (i < nb - 1) {
                bounds.append(i == 0 ? "" : ",").append(i + 1);
            }
        }
        String json =
                "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                        + "\"value\":{\"stringValue\":\"svc\"}}]},\"scopeMetrics\":[{\"metrics\":["
                        + "{\"name\":\"gen_ai.client.operation.duration\",\"unit\":\"s\",\"histogram\":"
                        + "{\"aggregationTemporality\":1,\"dataPoints\":[{"
                        + "\"startTimeUnixNano\":\"1764000000000000000\","
                        + "\"timeUnixNano\":\"1764000060000000000\",\"count\":\"1\",\"sum\":1.5,"
                        + "\"bucketCounts\":["
                        + counts
                        + "],\"explicitBounds\":["
                        + bounds
                        + "],\"attributes\":[{\"key\":\"gen_ai.system\",\"value\":{\"stringValue\":\"openai\"}}]"
                        + "}]}}]}]}]}";
        ReadResult r = reader.read(json.getBytes(StandardCharsets.UTF_8));
        assertThat(r.points()).isEmpty();
        assertThat(r.invalid())
                .singleElement()
                .satisfies(
                        i -> {
                            assertThat(i.reason()).isEqualTo(InvalidReason.INVALID_VALUE);
                            assertThat(i.detail()).contains(nb + " bucket counts");
                        });
    }

    @Test
    void wholeMessagesThatAreNotMetricsAreRefused() {
        assertThat(reader.read(new byte[0]).invalid())
                .extracting(ReadResult.Invalid::reason)
                .containsExactly(InvalidReason.EMPTY_MESSAGE);
        assertThat(reader.read("{\"resourceSpans\":[]}".getBytes(StandardCharsets.UTF_8)).invalid())
                .extracting(ReadResult.Invalid::reason)
                .containsExactly(InvalidReason.MISSING_FIELD);
        assertThat(reader.read("[".getBytes(StandardCharsets.UTF_8)).invalid())
                .extracting(ReadResult.Invalid::reason)
                .containsExactly(InvalidReason.INVALID_JSON);
        List<ReadResult.Invalid> deep =
                reader.read(
                                ("{\"resourceMetrics\":" + "[".repeat(200) + "]".repeat(200) + "}")
                                        .getBytes(StandardCharsets.UTF_8))
                        .invalid();
        assertThat(deep)
                .extracting(ReadResult.Invalid::reason)
                .containsExactly(InvalidReason.TOO_DEEP);
    }
}

package io.llmsentinel.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.flink.DimensionKeySelector;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

class SentinelJobTest {

    @Test
    void dryRunPrintsConfigurationWithoutSecretsAndThePlan() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code =
                SentinelJob.run(
                        new String[] {
                            "--config",
                            "../conf/sentinel.yaml",
                            "--dry-run",
                            "--kafka.properties.sasl.jaas.config",
                            "password=hunter2",
                            "--detection.warmup=40"
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).isZero();
        assertThat(printed)
                .contains("detection.warmup: 40")
                .contains("kafka.properties.sasl.jaas.config: ******")
                .doesNotContain("hunter2")
                .contains("\"nodes\"")
                .contains("Detect request and window anomalies per key")
                .contains("Read OTLP/JSON GenAI spans");
    }

    @Test
    void refusesToStartWithoutCheckpointingWhenAnOutputReliesOnIt() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                SentinelJob.run(
                        new String[] {
                            "--config", "../conf/sentinel.yaml", "--sinks.rabbitmq.enabled", "true"
                        },
                        new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("Refusing to start: checkpointing is off")
                .contains("sinks.kafka.exactly-once")
                .contains("RabbitMQ")
                .contains("execution.checkpointing.interval");
        assertThat(
                        SentinelJob.outputsThatNeedCheckpoints(
                                SentinelConfig.load(
                                        null,
                                        java.util.Map.of(
                                                "sinks.kafka.exactly-once", "false",
                                                "sinks.console.enabled", "true"),
                                        k -> null)))
                .as("console and an at-least-once topic run without checkpoints")
                .isEmpty();
    }

    @Test
    void invalidConfigurationExitsNonZeroNamingTheKey() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                SentinelJob.run(
                        new String[] {"--dry-run", "--detection.zscore.threshold", "-1"},
                        new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'detection.zscore.threshold'");
    }

    @Test
    void everyOperatorHasAStableUidAndAReadableName() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        SentinelConfig config = SentinelConfig.defaults();
        SentinelTopology.build(env, config, JobIo.fromConfig(config));
        StreamGraph graph = env.getStreamGraph(false);

        Set<String> uids =
                graph.getStreamNodes().stream()
                        .map(StreamNode::getTransformationUID)
                        .filter(u -> u != null)
                        .collect(Collectors.toSet());
        // Building the graph with auto-generated uids disabled already fails on a missing uid;
        // this pins the uids that savepoints depend on.
        assertThat(uids)
                .contains(
                        SentinelTopology.UID_SOURCE_OTLP,
                        SentinelTopology.UID_SOURCE_NATIVE,
                        SentinelTopology.UID_READ_OTLP,
                        SentinelTopology.UID_READ_NATIVE,
                        SentinelTopology.UID_DETECT,
                        SentinelTopology.UID_WINDOW_COUNTS,
                        SentinelTopology.UID_DETECT_WINDOWS,
                        SentinelTopology.UID_ALERT_POLICY,
                        "sink-kafka-alerts",
                        "alerts-console-min-severity",
                        "sink-dead-letters",
                        "sink-kafka-anomalies",
                        "sink-console");
        for (StreamNode node : graph.getStreamNodes()) {
            assertThat(node.getOperatorName())
                    .doesNotContain("Process", "Map", "Filter")
                    .isNotBlank();
        }
        assertThat(env.getConfig().hasGenericTypesDisabled()).isTrue();
        // The alert policy took the 0.2 deduplicator's slot: its uid is part of the savepoint
        // contract and must not change.
        assertThat(SentinelTopology.UID_ALERT_POLICY).isEqualTo("deduplicate-alerts");
    }

    /**
     * Nothing between operators falls back to Kryo: with every input and output on, the graph is
     * built with generic types disabled (building it would fail on one), and no serializer of a
     * record, a side output or a key is Kryo's, however deep inside a composite one. Keyed state is
     * checked per function (functions' NoGenericTypesTest).
     */
    @Test
    void noRecordTypeFallsBackToKryo() throws Exception {
        SentinelConfig config =
                SentinelConfig.load(
                        null,
                        java.util.Map.of(
                                "sinks.rabbitmq.enabled", "true",
                                "sinks.redis.enabled", "true",
                                "sinks.influxdb.enabled", "true",
                                "sinks.console.enabled", "true"),
                        k -> null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        SentinelTopology.build(env, config, JobIo.fromConfig(config));
        assertThat(env.getConfig().hasGenericTypesDisabled()).isTrue();
        StreamGraph graph = env.getStreamGraph(false);
        var serializers = env.getConfig().getSerializerConfig();
        int checked = 0;
        for (StreamNode node : graph.getStreamNodes()) {
            List<org.apache.flink.api.common.typeutils.TypeSerializer<?>> types =
                    new java.util.ArrayList<>();
            java.util.Collections.addAll(types, node.getTypeSerializersIn());
            types.add(node.getTypeSerializerOut());
            types.add(node.getStateKeySerializer());
            for (var edge : node.getOutEdges()) {
                if (edge.getOutputTag() != null) {
                    types.add(edge.getOutputTag().getTypeInfo().createSerializer(serializers));
                }
            }
            for (var t : types) {
                if (t != null) {
                    assertNoKryo(t, node.getOperatorName(), new java.util.HashSet<>());
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(30);
    }

    /** Fails on a Kryo serializer in {@code s} or in any serializer it holds. */
    static void assertNoKryo(Object s, String where, Set<Object> seen) throws Exception {
        if (s == null || !seen.add(s)) {
            return;
        }
        assertThat(s.getClass().getName()).as("a serializer of %s", where).doesNotContain("Kryo");
        for (Class<?> c = s.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Class<?> type = f.getType();
                boolean serializer =
                        org.apache.flink.api.common.typeutils.TypeSerializer.class.isAssignableFrom(
                                type);
                boolean serializers =
                        type.isArray()
                                && org.apache.flink.api.common.typeutils.TypeSerializer.class
                                        .isAssignableFrom(type.getComponentType());
                if (!serializer && !serializers) {
                    continue;
                }
                f.setAccessible(true);
                Object v = f.get(s);
                if (serializers && v != null) {
                    for (Object e : (Object[]) v) {
                        assertNoKryo(e, where, seen);
                    }
                } else {
                    assertNoKryo(v, where, seen);
                }
            }
        }
    }

    @Test
    void eachReaderRunsInItsSourcesTask() {
        // Parsing happens in the source; the reader only unpacks. In a task of its own it would
        // cost every message a second trip through the network stack (measured: about a tenth
        // of the job's CPU, docs/performance.md).
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        SentinelConfig config = SentinelConfig.defaults();
        SentinelTopology.build(env, config, JobIo.fromConfig(config));
        org.apache.flink.runtime.jobgraph.JobGraph job = env.getStreamGraph(false).getJobGraph();
        for (String reader :
                new String[] {
                    "Read OTLP/JSON GenAI spans",
                    "Read native JSON events",
                    "Read OTLP/JSON GenAI metrics"
                }) {
            assertThat(job.getVertices())
                    .as("the task that runs %s", reader)
                    .anySatisfy(
                            v ->
                                    assertThat(v.getName())
                                            .startsWith("Source: Kafka")
                                            .contains(reader));
        }
    }

    @Test
    void dimensionKeyJoinsConfiguredDimensions() {
        var r = new io.llmsentinel.functions.model.LlmRequest();
        r.service = "s";
        r.model = "m";
        r.provider = "p";
        r.operation = "chat";
        assertThat(
                        new DimensionKeySelector(
                                        java.util.List.of(
                                                "service", "model", "provider", "operation"))
                                .getKey(r))
                .isEqualTo("s|m|p|chat");
        assertThat(new DimensionKeySelector(java.util.List.of("service", "environment")).getKey(r))
                .isEqualTo("s|");
    }
}

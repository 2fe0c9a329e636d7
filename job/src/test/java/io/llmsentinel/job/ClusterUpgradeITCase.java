package io.llmsentinel.job;

import static io.llmsentinel.job.LocalCluster.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.devtools.generator.BadMessages;
import io.llmsentinel.devtools.generator.Incident;
import io.llmsentinel.devtools.generator.TelemetryGenerator;
import io.llmsentinel.testkit.HeadlessChromium;
import io.llmsentinel.testkit.KafkaTestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end on a real Flink session cluster (scripts/cluster.sh) and the real Kafka broker: {@code
 * flink run} the shaded jar with a configuration file, feed telemetry, stop with a savepoint and
 * start a second build from it (scripts/upgrade.sh), then check that detection goes on without a
 * new warm-up, that every input message was consumed, and that no anomaly was emitted twice with a
 * different id. Also checks the REST view of the job graph and refusal of an upgrade that cannot
 * restore the state.
 */
class ClusterUpgradeITCase {

    private static final Path ROOT = LocalCluster.ROOT;
    private static final Path JAR = LocalCluster.JAR;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static boolean startedCluster;

    @BeforeAll
    static void cluster() throws Exception {
        startedCluster = LocalCluster.up();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        LocalCluster.cleanUp(startedCluster);
    }

    @Test
    void upgradesWithASavepointWithoutLosingStateOrDuplicatingIds() throws Exception {
        List<String> topics = KafkaTestBroker.createTopics("otlp", "native", "anomalies", "dlq");
        // Judged as it comes: right after the restore the watermark waits for the empty
        // native-events input's idleness, and this test is about state, not the backlog's order.
        List<String> args =
                LocalCluster.jobArgs(topics, topics.get(0), "--event-time.catch-up-lag", "0 s");
        Path v2 = ROOT.resolve("job/target/sentinel-job-v2.jar");
        Files.copy(JAR, v2, StandardCopyOption.REPLACE_EXISTING);

        // Phase 1: 90 s of ordinary traffic (event time ending 40 s ago), a few bad messages.
        long now = System.currentTimeMillis();
        int bad = produce(topics.get(0), now - 130_000, now - 40_000, List.of(), 100, 1);

        List<String> submit = new ArrayList<>(List.of("scripts/submit.sh", JAR.toString()));
        submit.addAll(args);
        String submitted = run(180, submit.toArray(new String[0]));
        String firstJob = jobIdIn(submitted);
        // Readable operator names in the web UI (a chained vertex names all its operators).
        List<String> vertices = new ArrayList<>();
        rest("/jobs/" + firstJob)
                .get("vertices")
                .forEach(v -> vertices.add(v.get("name").asText()));
        assertThat(vertices)
                .anySatisfy(
                        n ->
                                assertThat(n)
                                        .startsWith(
                                                "Detect request and window anomalies per key"
                                                        + " (service, model, provider,"
                                                        + " operation)"))
                .anySatisfy(n -> assertThat(n).startsWith("Carry over the open windows of 0.3"));
        awaitConsumed(topics.get(0), "e2e-" + topics.get(0));
        screenshotOfWebUi(firstJob);

        // The upgrade: stop with a savepoint, start the second build from it.
        List<String> upgrade = new ArrayList<>(List.of("scripts/upgrade.sh", v2.toString()));
        upgrade.addAll(args);
        String upgraded = run(300, upgrade.toArray(new String[0]));
        assertThat(upgraded).contains("UPGRADED");
        String secondJob = upgraded.substring(upgraded.indexOf("UPGRADED ") + 9).split("\\s+")[0];
        JsonNode restored =
                rest("/jobs/" + secondJob + "/checkpoints").get("latest").get("restored");
        assertThat(restored.get("is_savepoint").asBoolean()).isTrue();

        // Phase 2: right after the restore, support-bot answers five times slower.
        long phase2 = System.currentTimeMillis() - 15_000;
        Incident spike =
                new Incident(
                        Incident.Type.LATENCY_SPIKE,
                        "support-bot",
                        "gpt-4o",
                        phase2,
                        phase2 + 15_000);
        produce(topics.get(0), phase2, phase2 + 15_000, List.of(spike), 0, 2);
        awaitConsumed(topics.get(0), "e2e-" + topics.get(0));
        Thread.sleep(12_000); // one more checkpoint: the Kafka sink flushes on checkpoints

        List<JsonNode> anomalies = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(topics.get(2))) {
            JsonNode n = JSON.readTree(r.value());
            if (!"alert".equals(n.path("record_type").asText())) { // alert changes share the topic
                anomalies.add(n);
            }
        }
        // Detection goes on without a new warm-up: the first spiky requests are caught, judged
        // against baselines of hundreds of samples learned before the upgrade.
        List<JsonNode> afterUpgrade =
                anomalies.stream()
                        .filter(a -> a.get("service").asText().equals("support-bot"))
                        .filter(a -> a.get("metric").asText().equals("latency_ms"))
                        .filter(
                                a ->
                                        Instant.parse(a.get("event_time").asText()).toEpochMilli()
                                                >= phase2)
                        .toList();
        assertThat(afterUpgrade).isNotEmpty();
        long firstAfter =
                afterUpgrade.stream()
                        .mapToLong(a -> Instant.parse(a.get("event_time").asText()).toEpochMilli())
                        .min()
                        .getAsLong();
        assertThat(firstAfter - phase2).isLessThan(3_000);
        assertThat(afterUpgrade)
                .allSatisfy(
                        a ->
                                assertThat(a.get("baseline").get("samples").asLong())
                                        .isGreaterThan(60));

        // Nothing emitted twice with a different id: one id per (key, metric, event time, span).
        Map<String, Set<String>> idsPerValue = new HashMap<>();
        for (JsonNode a : anomalies) {
            String value =
                    String.join(
                            "|",
                            a.get("service").asText(),
                            a.get("model").asText(),
                            a.get("metric").asText(),
                            a.get("event_time").asText(),
                            a.get("span_id").asText());
            idsPerValue
                    .computeIfAbsent(value, k -> new HashSet<>())
                    .add(a.get("anomaly_id").asText());
        }
        assertThat(idsPerValue.values()).allSatisfy(ids -> assertThat(ids).hasSize(1));

        // Nothing lost: every bad message is on the dead-letter topic (at least once).
        Set<Long> deadOffsets =
                KafkaTestBroker.readAll(topics.get(3)).stream()
                        .map(
                                r -> {
                                    try {
                                        return JSON.readTree(r.value())
                                                                .get("source_offset")
                                                                .asLong()
                                                        * 10
                                                + JSON.readTree(r.value())
                                                        .get("source_partition")
                                                        .asLong();
                                    } catch (Exception e) {
                                        throw new IllegalStateException(e);
                                    }
                                })
                        .collect(Collectors.toSet());
        assertThat(deadOffsets).hasSize(bad);

        // An upgrade that cannot restore the state is refused and the running version comes back.
        List<String> refused = new ArrayList<>(List.of("scripts/upgrade.sh", v2.toString()));
        refused.addAll(args);
        // without the control topic, the control source's state (its partitions) has nowhere to go
        refused.addAll(List.of("--control.enabled", "false"));
        String out = runExpectingFailure(300, refused.toArray(new String[0]));
        assertThat(out).contains("REFUSED").contains("Cannot map checkpoint/savepoint state");
        assertThat(rest("/jobs/overview").get("jobs"))
                .anySatisfy(j -> assertThat(j.get("state").asText()).isEqualTo("RUNNING"));
    }

    /** The job's page in the Flink web UI, in headless Chromium (scripts/test.sh installs it). */
    private static void screenshotOfWebUi(String jobId) throws Exception {
        Path dir = ROOT.resolve("job/target/screenshots");
        Files.createDirectories(dir);
        Path png = dir.resolve("flink-web-ui-job.png");
        Files.deleteIfExists(png);
        // Headless Chromium, busy beside a cluster on two cores, sometimes stalls before it paints:
        // each try gets 45 s, then it is stopped and tried again; the PNG decides.
        HeadlessChromium.run(
                dir,
                "--screenshot=" + png,
                "http://localhost:8081/#/job/running/" + jobId + "/overview",
                List.of(
                        "--run-all-compositor-stages-before-draw",
                        "--window-size=1600,1000",
                        "--virtual-time-budget=5000",
                        "--timeout=20000"),
                3,
                45,
                out -> Files.exists(png));
        assertThat(png).exists();
        assertThat(Files.size(png))
                .as("a rendered page, not a blank one (see %s)", dir.resolve("chromium.log"))
                .isGreaterThan(20_000);
    }

    /** Produces generated telemetry between two event times; returns the bad messages sent. */
    private static int produce(
            String topic, long from, long to, List<Incident> incidents, int badEvery, long seed)
            throws Exception {
        int bad = 0;
        int n = 0;
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer();
                TelemetryGenerator gen = new TelemetryGenerator(seed, incidents, 4)) {
            for (long t = from; t < to; t += 50, n++) {
                byte[] value;
                if (badEvery > 0 && n % badEvery == badEvery - 1) {
                    value = BadMessages.ALL.get(bad % BadMessages.ALL.size()).payload();
                    bad++;
                } else {
                    value = gen.nextMessage(t);
                }
                sent.add(producer.send(new ProducerRecord<>(topic, null, t, null, value)));
            }
            producer.flush();
            for (var f : sent) {
                f.get(60, TimeUnit.SECONDS); // a failed send fails the test here, not later
            }
        }
        return bad;
    }
}

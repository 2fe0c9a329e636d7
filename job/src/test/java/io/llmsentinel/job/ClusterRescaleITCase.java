package io.llmsentinel.job;

import static io.llmsentinel.job.LocalCluster.awaitConsumed;
import static io.llmsentinel.job.LocalCluster.jobIdIn;
import static io.llmsentinel.job.LocalCluster.rest;
import static io.llmsentinel.job.LocalCluster.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.devtools.generator.Incident;
import io.llmsentinel.devtools.generator.TelemetryGenerator;
import io.llmsentinel.testkit.KafkaTestBroker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scale-out as Flink users do it, on the local session cluster with two TaskManagers (4 slots): a
 * savepoint taken at parallelism 2 is restored at 4, and the next one at 1. The keyed baselines,
 * the alert policy's state and the key groups (max parallelism 128) carry over: a latency spike on
 * a warmed key is caught right after each rescale, judged against hundreds of values learned before
 * it, and no alert opens twice.
 */
class ClusterRescaleITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static boolean startedCluster;

    @BeforeAll
    static void cluster() throws Exception {
        startedCluster = LocalCluster.up(2);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        LocalCluster.cleanUp(startedCluster);
    }

    @Test
    void aSavepointAtParallelism2RestoresAt4AndAt1() throws Exception {
        List<String> topics = KafkaTestBroker.createTopics("otlp", "native", "anomalies", "dlq");
        String otlp = topics.get(0);
        // All of this input is older than a minute when it is read: as a backlog it would wait
        // for event time, which the empty native-events input holds for its idleness (a minute)
        // after each restart. This test is about state across rescaling; the backlog's order is
        // OrderIndependenceITCase's.
        List<String> args = LocalCluster.jobArgs(topics, otlp, "--event-time.catch-up-lag", "0 s");

        long now = System.currentTimeMillis();
        produce(otlp, now - 200_000, now - 100_000, List.of(), 1);
        List<String> submit =
                new ArrayList<>(List.of("scripts/submit.sh", LocalCluster.JAR.toString()));
        submit.addAll(args);
        submit.addAll(List.of("--job.parallelism", "2"));
        String job = jobIdIn(run(180, submit.toArray(new String[0])));
        assertThat(parallelism(job)).isEqualTo(2);
        awaitConsumed(otlp, "e2e-" + otlp);

        long phase = now - 90_000;
        int round = 0;
        for (int target : new int[] {4, 1}) {
            round++;
            List<String> upgrade =
                    new ArrayList<>(List.of("scripts/upgrade.sh", LocalCluster.JAR.toString()));
            upgrade.addAll(args);
            upgrade.addAll(List.of("--job.parallelism", Integer.toString(target)));
            String out = run(300, upgrade.toArray(new String[0]));
            assertThat(out).contains("UPGRADED");
            job = out.substring(out.indexOf("UPGRADED ") + 9).split("\\s+")[0];
            assertThat(
                            rest("/jobs/" + job + "/checkpoints")
                                    .get("latest")
                                    .get("restored")
                                    .get("is_savepoint")
                                    .asBoolean())
                    .isTrue();
            assertThat(parallelism(job))
                    .as("parallelism after rescale %d", round)
                    .isEqualTo(target);

            // Right after the rescale, a service warmed before it answers five times slower for
            // 15 s: another service each round (a key whose level a spike just raised is less
            // sensitive for a while, which is not what this test is about).
            String service = round == 1 ? "support-bot" : "code-assistant";
            Incident spike =
                    new Incident(
                            Incident.Type.LATENCY_SPIKE,
                            service,
                            "",
                            phase + 20_000,
                            phase + 35_000);
            produce(otlp, phase, phase + 35_000, List.of(spike), 10 + round);
            awaitConsumed(otlp, "e2e-" + otlp);

            // The exactly-once topic shows them once a checkpoint commits (every 10 s).
            List<JsonNode> caught = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 60_000;
            while (caught.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(2_000);
                for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(topics.get(2))) {
                    JsonNode a = JSON.readTree(r.value());
                    if (!"alert".equals(a.path("record_type").asText())
                            && a.get("service").asText().equals(service)
                            && a.get("metric").asText().equals("latency_ms")
                            && Instant.parse(a.get("event_time").asText()).toEpochMilli()
                                    >= phase + 20_000) {
                        caught.add(a);
                    }
                }
            }
            assertThat(caught).as("the spike after rescaling to %d", target).isNotEmpty();
            long first =
                    caught.stream()
                            .mapToLong(
                                    a -> Instant.parse(a.get("event_time").asText()).toEpochMilli())
                            .min()
                            .getAsLong();
            assertThat(first - (phase + 20_000)).isLessThan(3_000);
            assertThat(caught)
                    .allSatisfy(
                            a ->
                                    assertThat(a.get("baseline").get("samples").asLong())
                                            .as("judged against the baseline learned before")
                                            .isGreaterThan(60));
            System.out.printf(
                    "rescaled to %d: %d latency anomalies of %s in the spike, the first %d ms after"
                            + " it began, baselines of %d+ values%n",
                    target,
                    caught.size(),
                    service,
                    first - (phase + 20_000),
                    caught.stream()
                            .mapToLong(a -> a.get("baseline").get("samples").asLong())
                            .min()
                            .getAsLong());
            phase += 40_000;
        }

        // The alert policy's state moved with its keys: no alert opened twice.
        Map<String, Integer> opened = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestBroker.readAll(topics.get(2))) {
            JsonNode a = JSON.readTree(r.value());
            if ("alert".equals(a.path("record_type").asText())
                    && a.get("state").asText().equals("opened")) {
                opened.merge(a.get("alert_id").asText(), 1, Integer::sum);
            }
        }
        assertThat(opened.values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
        run(60, "scripts/flink.sh", "cancel", job);
    }

    private static int parallelism(String job) throws Exception {
        int max = 0;
        for (JsonNode v : rest("/jobs/" + job).get("vertices")) {
            max = Math.max(max, v.get("parallelism").asInt());
        }
        return max;
    }

    private static void produce(
            String topic, long from, long to, List<Incident> incidents, long seed)
            throws Exception {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestBroker.producer();
                TelemetryGenerator gen = new TelemetryGenerator(seed, incidents, 4)) {
            for (long t = from; t < to; t += 50) {
                sent.add(
                        producer.send(
                                new ProducerRecord<>(topic, null, t, null, gen.nextMessage(t))));
            }
            producer.flush();
            for (var f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
    }
}

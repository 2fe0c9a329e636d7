package io.llmsentinel.devtools.soak;

import static io.llmsentinel.devtools.soak.JobRecordTest.T0;
import static io.llmsentinel.devtools.soak.JobRecordTest.alert;
import static io.llmsentinel.devtools.soak.JobRecordTest.anomaly;
import static io.llmsentinel.devtools.soak.JobRecordTest.incident;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole report over a run folder as scripts/chaos.sh and SoakWatch leave it: it passes when
 * every output got what the job decided, and fails, naming the output, when one did not; the
 * fault's line shows the delay its outage caused.
 */
class SoakReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MINUTE = 60_000;

    @TempDir Path dir;

    private final List<String> rabbit = new ArrayList<>();
    private final List<String> webhook = new ArrayList<>();
    private final List<String> stores = new ArrayList<>();

    private static String delivery(long at, String id, String type) {
        return JSON.createObjectNode()
                .put("received_at_ms", at)
                .put("id", id)
                .put("type", type)
                .put("redelivered", false)
                .toString();
    }

    private static String sample(String mark, long at, long restarts, long heap, long state) {
        ObjectNode n = JSON.createObjectNode();
        if (mark != null) {
            n.put("mark", mark);
        }
        n.put("at_ms", at).put("job_state", "RUNNING").put("restarts", restarts);
        n.put("checkpoints_completed", 10).put("checkpoints_failed", 0).put("checkpoint_id", 10);
        n.put("checkpoint_state_size", state).put("checkpointed_size", state / 10);
        n.putArray("task_managers")
                .addObject()
                .put("id", "localhost-tm-1-1764000000")
                .put("index", 1)
                .put("started_at_ms", T0 - MINUTE)
                .put("slots_used", 2)
                .put("heap_used", heap)
                .put("heap_max", 500_000_000)
                .put("threads", 200)
                .put("rss_bytes", 900_000_000);
        return n.toString();
    }

    /** A run: one alert opened during a RabbitMQ outage and resolved, one incident of it. */
    private List<JsonNode> run(long endHeap) throws Exception {
        Path yaml = dir.resolve("soak.yaml");
        Files.writeString(
                yaml,
                "sinks:\n  webhooks:\n    - name: soak\n      url: http://127.0.0.1:1/hook\n"
                        + "      secrets: [\"whsec_"
                        + Base64.getEncoder().encodeToString(new byte[24])
                        + "\"]\n");
        Files.write(
                dir.resolve("job.args"),
                List.of(
                        "--config", yaml.toString(),
                        "--sinks.rabbitmq.enabled", "true",
                        "--sinks.influxdb.enabled", "true",
                        "--sinks.redis.enabled", "true",
                        "--alerts.deliver", "both"));
        Files.writeString(
                dir.resolve("faults.jsonl"),
                "{\"fault\":\"rabbitmq\",\"start_ms\":"
                        + (T0 + MINUTE)
                        + ",\"end_ms\":"
                        + (T0 + 3 * MINUTE)
                        + ",\"detail\":\"down\"}\n");
        Files.write(
                dir.resolve(SoakWatch.SAMPLES),
                List.of(sample(null, T0 + 1_000, 0, 0, 0), sample(null, T0 + 9 * MINUTE, 0, 0, 0)));
        Files.write(
                dir.resolve(SoakWatch.MARKS),
                List.of(
                        sample("start", T0 + 30_000, 0, 100_000_000, 8_000_000),
                        sample("end", T0 + 9 * MINUTE, 0, endHeap, 8_100_000)));
        long opened = T0 + 2 * MINUTE;
        ObjectNode cause = anomaly("an-1", opened, opened + 500, "latency_ms");
        List<JsonNode> topic =
                List.of(
                        cause,
                        alert("al-1", "opened", opened, cause, "high"),
                        alert("al-1", "resolved", opened + 2 * MINUTE, cause, "high"),
                        incident("in-1", "opened", 0, opened, "al-1"),
                        incident("in-1", "resolved", 1, opened + 2 * MINUTE, "al-1"));
        long back = T0 + 3 * MINUTE + 20_000;
        rabbit.addAll(
                List.of(
                        delivery(back, "an-1", "anomaly.detected"),
                        delivery(back, "in-1:opened:0", "incident.opened"),
                        delivery(T0 + 5 * MINUTE, "al-1:resolved", "anomaly.resolved"),
                        delivery(T0 + 5 * MINUTE, "in-1:resolved:1", "incident.resolved")));
        webhook.addAll(
                List.of(
                        delivery(opened + 900, "an-1", "anomaly.detected"),
                        delivery(opened + 2_900, "in-1:opened:0", "incident.opened"),
                        delivery(T0 + 5 * MINUTE, "al-1:resolved", "anomaly.resolved"),
                        delivery(T0 + 5 * MINUTE, "in-1:resolved:1", "incident.resolved")));
        stores.addAll(
                List.of(
                        delivery(opened + 3_000, "al-1:opened:" + opened, StoreProbe.INFLUX_ALERTS),
                        delivery(
                                T0 + 5 * MINUTE,
                                "al-1:resolved:" + (opened + 2 * MINUTE),
                                StoreProbe.INFLUX_ALERTS),
                        delivery(opened + 3_000, "an-1", StoreProbe.INFLUX_ANOMALIES),
                        delivery(opened + 3_000, "an-1", StoreProbe.REDIS_ANOMALIES)));
        return topic;
    }

    private String report(List<JsonNode> topic, boolean[] passed) throws Exception {
        Files.write(dir.resolve("rabbitmq-deliveries.jsonl"), rabbit);
        Files.write(dir.resolve("webhook-deliveries.jsonl"), webhook);
        Files.write(dir.resolve(SoakWatch.STORE_ARRIVALS), stores);
        SoakReport.Run run =
                new SoakReport.Run(
                        dir,
                        SoakReport.jobConfig(dir.resolve("job.args")),
                        topic,
                        List.of(),
                        T0,
                        T0 + 10 * MINUTE,
                        0.25);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            passed[0] = run.print(out);
        }
        return text.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everythingDeliveredPassesAndTheOutageShowsAsRabbitMqsDelay() throws Exception {
        List<JsonNode> topic = run(110_000_000);
        boolean[] passed = new boolean[1];
        String report = report(topic, passed);

        assertThat(report).contains("PASSED");
        assertThat(passed[0]).isTrue();
        assertThat(report)
                .containsPattern("rabbitmq alerts +2 +2 +0 +0")
                .containsPattern("webhook incidents +2 +2 +0 +0")
                .containsPattern("redis anomalies +1 +1 +0");
        // decided at +2:00.5 during the outage, arrived at +3:20: 79.5 s; the webhook 0.4 s
        assertThat(report).contains("rabbitmq alerts 79.5 s (all 1 in 20 s after the end)");
        assertThat(report).contains("webhook alerts 0.4 s");
        assertThat(report).contains("alerts: 1 opened, 1 resolved, 0 still open");
    }

    @Test
    void aMissingIncidentAtTheWebhookFailsAndIsNamed() throws Exception {
        List<JsonNode> topic = run(110_000_000);
        webhook.remove(3); // in-1:resolved:1 never arrived
        boolean[] passed = new boolean[1];
        String report = report(topic, passed);

        assertThat(passed[0]).isFalse();
        assertThat(report).contains("FAILED: 1 missing at webhook incidents");
        assertThat(report).contains("missing: [in-1:resolved:1]");
    }

    @Test
    void aHeapThatGrewFails() throws Exception {
        List<JsonNode> topic = run(160_000_000);
        boolean[] passed = new boolean[1];
        String report = report(topic, passed);

        assertThat(passed[0]).isFalse();
        assertThat(report).contains("100.0 MB -> 160.0 MB (+60.0%) GREW");
        assertThat(report).contains("checkpoint full size: 8.00 MB -> 8.10 MB (+1.3%) flat");
    }
}

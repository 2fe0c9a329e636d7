package io.llmsentinel.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.testkit.KafkaTestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The local session cluster (scripts/cluster.sh) from a test: its REST API, the project's scripts,
 * and the job's consumer group.
 */
final class LocalCluster {
    private LocalCluster() {}

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path JAR = ROOT.resolve("job/target/sentinel-job.jar");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Starts the cluster unless it runs; true when this call started it (and should stop it). */
    /**
     * The job's arguments on the local cluster for topics {@code [otlp, native, anomalies, dlq]}
     * (from {@code KafkaTestBroker.createTopics}), group and transactional ids from {@code run}.
     */
    static List<String> jobArgs(List<String> topics, String run, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--config",
                                ROOT.resolve("conf/sentinel.yaml").toString(),
                                "--kafka.bootstrap-servers",
                                KafkaTestBroker.bootstrap(),
                                "--kafka.starting-offsets",
                                "earliest",
                                "--kafka.group-id",
                                "e2e-" + run,
                                "--sinks.kafka.transactional-id-prefix",
                                "e2e-" + run,
                                "--inputs.otlp-traces.topic",
                                topics.get(0),
                                "--inputs.native-events.topic",
                                topics.get(1),
                                "--sinks.kafka.topic",
                                topics.get(2),
                                "--dead-letter.topic",
                                topics.get(3),
                                "--sinks.console.enabled",
                                "false",
                                // Topics that do not exist: a missing optional input must not
                                // stop the job (it is read once it is created).
                                "--inputs.otlp-metrics.topic",
                                topics.get(0) + "-metrics",
                                "--control.topic",
                                topics.get(0) + "-control"));
        args.addAll(List.of(more));
        return args;
    }

    static boolean up() throws Exception {
        return up(1);
    }

    /**
     * The same with {@code taskManagers} TaskManagers (2 slots each); more are added if missing.
     */
    static boolean up(int taskManagers) throws Exception {
        boolean started = !run(30, "scripts/cluster.sh", "status").contains("JobManager running");
        String up = run(300, "scripts/cluster.sh", "up", Integer.toString(taskManagers));
        assertThat(up).contains("flink cluster");
        return started;
    }

    /** Cancels the running jobs, and stops the cluster if {@code stop}. */
    static void cleanUp(boolean stop) throws Exception {
        for (JsonNode job : rest("/jobs/overview").get("jobs")) {
            if (job.get("state").asText().equals("RUNNING")) {
                run(60, "scripts/flink.sh", "cancel", job.get("jid").asText());
            }
        }
        if (stop) {
            run(120, "scripts/cluster.sh", "down");
        }
    }

    /**
     * The job's failures so far, each of which restarted it: the entries of its exception history
     * (the numRestarts metric is fetched lazily by the REST API and can read empty).
     */
    static long restarts(String jobId) throws Exception {
        return rest("/jobs/" + jobId + "/exceptions?maxExceptions=100")
                .path("exceptionHistory")
                .path("entries")
                .size();
    }

    static String state(String jobId) throws Exception {
        return rest("/jobs/" + jobId).get("state").asText();
    }

    /** Waits until the job's consumer group has committed every offset of the topic. */
    static void awaitConsumed(String topic, String group) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrap());
        try (AdminClient admin = AdminClient.create(p)) {
            List<TopicPartition> parts =
                    List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            parts.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            long deadline = System.currentTimeMillis() + 120_000;
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(group)
                                .partitionsToOffsetAndMetadata()
                                .get(30, TimeUnit.SECONDS);
                boolean done =
                        parts.stream()
                                .allMatch(
                                        tp ->
                                                ends.get(tp).offset() == 0
                                                        || committed.get(tp) != null
                                                                && committed.get(tp).offset()
                                                                        >= ends.get(tp).offset());
                if (done) {
                    return;
                }
                assertThat(System.currentTimeMillis())
                        .as("job consumed %s within 120 s", topic)
                        .isLessThan(deadline);
                Thread.sleep(1000);
            }
        }
    }

    static String jobIdIn(String output) {
        int i = output.indexOf("JobID ");
        assertThat(i).as("a JobID in: %s", output).isGreaterThanOrEqualTo(0);
        return output.substring(i + 6).split("\\s+")[0];
    }

    static JsonNode rest(String path) throws Exception {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:8081" + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static String run(int timeoutSeconds, String... command) throws Exception {
        Result r = exec(timeoutSeconds, command);
        assertThat(r.code)
                .as("%s exited with %s:%n%s", String.join(" ", command), r.code, r.output)
                .isZero();
        return r.output;
    }

    static String runExpectingFailure(int timeoutSeconds, String... command) throws Exception {
        Result r = exec(timeoutSeconds, command);
        assertThat(r.code)
                .as("%s should fail:%n%s", String.join(" ", command), r.output)
                .isNotZero();
        return r.output;
    }

    record Result(int code, String output) {}

    static Result exec(int timeoutSeconds, String... command) throws Exception {
        Path log = Files.createTempFile("e2e-", ".log");
        Process p =
                new ProcessBuilder(command)
                        .directory(ROOT.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(
                    String.join(" ", command) + " timed out:\n" + Files.readString(log));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        return new Result(p.exitValue(), output);
    }
}

package io.llmsentinel.devtools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.llmsentinel.devtools.backtest.StateSizePerKey;
import io.llmsentinel.devtools.generator.Incident;
import io.llmsentinel.devtools.generator.TelemetryGenerator;
import io.llmsentinel.functions.detect.Metric;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The end-to-end benchmark behind scripts/bench-e2e.sh, against the local session cluster
 * (scripts/cluster.sh) and the local broker, in one run, for each mix of spans asked for (the share
 * of LLM spans among all spans: 1:1 and 1:20 by default):
 *
 * <ol>
 *   <li>preloads generated OTLP/JSON messages into a new topic (N for the 1:1 mix; as many bytes,
 *       so fewer and larger messages, for a sparser mix);
 *   <li>reads them with Kafka's own ConsumerPerformance (the bare broker read);
 *   <li>runs {@code BareReadJob} (devtools/bench: the job's source settings, bytes discarded:
 *       Flink's floor);
 *   <li>before the first measurement, runs the full job once over the whole 1:1 topic on a
 *       TaskManager that has run nothing else (the warm-up: JIT compiles the job's paths; its own
 *       figures are printed, as the cold start they are);
 *   <li>runs the full job with the shipped configuration on each state backend (HashMap, RocksDB
 *       with incremental checkpoints; {@code -D state.backend.type}) at each parallelism;
 * </ol>
 *
 * then offers a fixed load of LLM spans per second, live, with incidents, on the default state
 * backend and measures the time from each alerting span's Kafka timestamp (= its end time) to its
 * alert at a local webhook endpoint and on the console, and to its anomaly on the exactly-once
 * topic; and reads TaskManager heap, checkpoint size and active keys. Bytes of state per key are
 * measured apart ({@link StateSizePerKey}): a checkpoint divided by ten keys is mostly overhead.
 *
 * <p>Throughput is the steady-state rate: the slope of the job's own message counter (summed over
 * subtasks, read from the REST API every second) between 20% and 90% of the topic, so start-up and
 * the tail do not count; CPU per message is the TaskManager's user and system time over the same
 * interval.
 */
public final class EndToEndBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String REST = "http://127.0.0.1:8081";

    private final Path root;
    private final String bootstrap;
    private final int messages;
    private final int partitions;
    private final List<Integer> parallelisms;
    private final List<Double> mixes;
    private final List<String> backends;
    private final String defaultBackend;
    private final int latencySeconds;
    private final int offeredSpansPerSecond;
    private final boolean profile;
    private final Path jar;
    private final Path benchJar;
    private final Path config;
    private final Path compareJar;
    private final Path compareConfig;
    private final String run = UUID.randomUUID().toString().substring(0, 6);
    private final List<Path> profiles = new ArrayList<>();

    /**
     * When the live traffic of the latency run began: alerts on its 30 s of back-dated warm-up
     * history (sent as fast as the broker takes it) would count their age as latency.
     */
    private volatile long liveFromMs = Long.MAX_VALUE;

    /** A preloaded topic of one mix. */
    private record Topic(String name, double llmShare, int messages, long llmSpans, long bytes) {
        double llmPerMessage() {
            return (double) llmSpans / messages;
        }

        String mix() {
            return "1:" + Math.round(1 / llmShare);
        }
    }

    private EndToEndBenchmark(Map<String, String> o) throws IOException {
        this.root = Path.of(o.getOrDefault("root", ".")).toAbsolutePath().normalize();
        this.bootstrap = o.getOrDefault("bootstrap-servers", "127.0.0.1:9092");
        this.messages = Integer.parseInt(o.getOrDefault("messages", "300000"));
        this.partitions = Integer.parseInt(o.getOrDefault("partitions", "2"));
        this.parallelisms = new ArrayList<>();
        for (String p : o.getOrDefault("parallelism", "2,1").split(",")) {
            parallelisms.add(Integer.parseInt(p.trim()));
        }
        this.mixes = new ArrayList<>();
        for (String m : o.getOrDefault("llm-share", "0.5,0.05").split(",")) {
            mixes.add(Double.parseDouble(m.trim()));
        }
        this.backends = List.of(o.getOrDefault("backends", "hashmap,rocksdb").split(","));
        this.latencySeconds = Integer.parseInt(o.getOrDefault("latency-seconds", "60"));
        this.offeredSpansPerSecond = Integer.parseInt(o.getOrDefault("rate", "10000"));
        this.profile = Boolean.parseBoolean(o.getOrDefault("profile", "false"));
        // Another build of the job to measure (an earlier commit, say), with its own config file.
        this.jar =
                Path.of(
                        o.getOrDefault(
                                "jar", root.resolve("job/target/sentinel-job.jar").toString()));
        this.benchJar = benchJar(root);
        this.config =
                Path.of(o.getOrDefault("config", root.resolve("conf/sentinel.yaml").toString()));
        // The state backend of the shipped cluster configuration: the latency run's, and the one
        // an earlier build is compared on.
        this.defaultBackend =
                o.getOrDefault(
                        "default-backend",
                        clusterBackend(root.resolve("conf/flink-cluster/config.yaml.template")));
        // An earlier build measured in the same run, before and after this one (the machine's
        // speed drifts by a third between runs; a ratio within one run is what compares).
        this.compareJar = o.containsKey("compare-jar") ? Path.of(o.get("compare-jar")) : null;
        this.compareConfig =
                Path.of(
                        o.getOrDefault(
                                "compare-config", root.resolve("conf/sentinel.yaml").toString()));
    }

    /** devtools/bench's jar (BareReadJob), submitted on top of the job's jar. */
    private static Path benchJar(Path root) throws IOException {
        Path dir = root.resolve("devtools/bench/target");
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("sentinel-bench-.*\\.jar"))
                    .filter(p -> !p.getFileName().toString().contains("sources"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no bench jar in " + dir));
        }
    }

    /** {@code state.backend.type} of the cluster's configuration (a YAML block or a flat key). */
    static String clusterBackend(Path file) throws IOException {
        String yaml = Files.readString(file);
        Matcher flat = Pattern.compile("(?m)^state\\.backend\\.type:\\s*(\\S+)").matcher(yaml);
        if (flat.find()) {
            return flat.group(1);
        }
        Matcher nested =
                Pattern.compile("(?m)^state:\\s*\\n\\s+backend:\\s*\\n\\s+type:\\s*(\\S+)")
                        .matcher(yaml);
        return nested.find() ? nested.group(1) : "hashmap";
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String name = args[i].substring(2);
            if (name.equals("profile")) {
                o.put(name, "true");
            } else {
                o.put(name, args[++i]);
            }
        }
        new EndToEndBenchmark(o).runAll();
        System.exit(0); // the webhook receiver's and readers' threads would keep the JVM alive
    }

    /** One measured job: which, and its rate. */
    private record Measured(String what, Topic topic, String backend, int parallelism, Rate rate) {}

    private void runAll() throws Exception {
        createTopics(
                partitions,
                "bench-" + run + "-native",
                "bench-" + run + "-anomalies",
                "bench-" + run + "-dlq");
        List<Measured> rows = new ArrayList<>();
        Map<Topic, Rate> brokerReads = new LinkedHashMap<>();
        Map<Topic, Rate> flinkReads = new LinkedHashMap<>();
        Memory memory = null;
        Rate warmUp = null;
        List<Rate> earlier = new ArrayList<>();
        Topic first = null;
        for (double share : mixes) {
            int n = (int) Math.max(1000, Math.round(messages * Math.min(1, share / 0.5)));
            Topic topic = preload("bench-" + run + "-otlp-" + Math.round(1 / share), n, share);
            if (first == null) {
                first = topic;
            }
            brokerReads.put(topic, bareBrokerRead(topic));
            flinkReads.put(
                    topic,
                    measureJob(
                            "bare-" + topic.mix(),
                            bareFlinkArgs(topic),
                            "bareRead.messages",
                            null,
                            topic,
                            1.0));
            if (warmUp == null) {
                // The first job a TaskManager runs costs a third more CPU per message (JIT):
                // one whole pass over the 1:1 topic first, its figures kept as the cold start.
                warmUp =
                        measureJob(
                                "warm-up-" + topic.mix(),
                                fullJobArgs(
                                        jar, config, topic, parallelisms.get(0), defaultBackend),
                                "sentinel.messages",
                                null,
                                topic,
                                1.0);
                if (compareJar != null) {
                    earlier.add(measureEarlier(topic, "earlier-p" + parallelisms.get(0)));
                }
            }
            for (String backend : backends) {
                for (int p : parallelisms) {
                    Memory[] m = new Memory[1];
                    Rate r =
                            measureJob(
                                    "full-" + topic.mix() + "-" + backend + "-p" + p,
                                    fullJobArgs(jar, config, topic, p, backend),
                                    "sentinel.messages",
                                    m,
                                    topic,
                                    1.0);
                    rows.add(new Measured("full job", topic, backend, p, r));
                    if (memory == null && backend.equals(defaultBackend)) {
                        memory = m[0];
                    }
                }
            }
            if (compareJar != null && topic == first) {
                earlier.add(measureEarlier(topic, "earlier-again-p" + parallelisms.get(0)));
            }
        }
        Latency latency = latencySeconds > 0 ? latency() : Latency.none();
        StateSizePerKey.Sizes state = StateSizePerKey.measure(config, 3600);

        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "end-to-end benchmark %s: %d partitions, one TaskManager with 2 slots; default state"
                        + " backend %s%n",
                run,
                partitions,
                defaultBackend);
        for (Topic t : brokerReads.keySet()) {
            System.out.printf(
                    Locale.ROOT,
                    "mix %s: %,d messages (%,d LLM spans, %.0f MB, %.2f LLM spans and %.1f KB per"
                            + " message)%n",
                    t.mix(),
                    t.messages(),
                    t.llmSpans(),
                    t.bytes() / 1e6,
                    t.llmPerMessage(),
                    t.bytes() / 1e3 / t.messages());
            Rate broker = brokerReads.get(t);
            row("bare broker read (ConsumerPerformance)", broker, t, broker);
            row("bare Flink read (BareReadJob, p=2)", flinkReads.get(t), t, broker);
            if (t == first && warmUp != null) {
                row(
                        "warm-up: first job, fresh TaskManager, "
                                + defaultBackend
                                + " p="
                                + parallelisms.get(0),
                        warmUp,
                        t,
                        broker);
            }
            for (Measured m : rows) {
                if (m.topic() == t) {
                    row("full job, " + m.backend() + ", p=" + m.parallelism(), m.rate(), t, broker);
                }
            }
        }
        if (!earlier.isEmpty()) {
            Rate main = find(rows, first, defaultBackend, parallelisms.get(0));
            for (int i = 0; i < earlier.size(); i++) {
                row(
                        (i == 0 ? "earlier build, before" : "earlier build, after")
                                + ", p="
                                + parallelisms.get(0),
                        earlier.get(i),
                        first,
                        brokerReads.get(first));
            }
            double mean =
                    earlier.stream().mapToDouble(Rate::msgsPerSecond).average().orElse(Double.NaN);
            double cpu =
                    earlier.stream()
                            .mapToDouble(Rate::cpuUsPerMessage)
                            .average()
                            .orElse(Double.NaN);
            System.out.printf(
                    Locale.ROOT,
                    "  this build / earlier build (%s): x%.2f throughput, x%.2f TaskManager CPU"
                            + " per message%n",
                    compareJar,
                    main.msgsPerSecond / mean,
                    main.cpuUsPerMessage / cpu);
        }
        latency.print();
        if (memory != null) {
            memory.print();
        }
        state.print();
        if (!profiles.isEmpty()) {
            System.out.println("  profiles (share of the TaskManager's CPU samples):");
            for (Path p : profiles) {
                System.out.println("    " + ProfileShares.of(p).line());
            }
        }

        Rate main = find(rows, first, defaultBackend, parallelisms.get(0));
        Topic sparse = brokerReads.size() > 1 ? new ArrayList<>(brokerReads.keySet()).get(1) : null;
        Rate sparseMain =
                sparse == null ? null : find(rows, sparse, defaultBackend, parallelisms.get(0));
        System.out.printf(
                Locale.ROOT,
                "e2e backend=%s p=%d msgs_per_s=%.0f llm_spans_per_s=%.0f ratio_bare_read=%.2f"
                        + " cpu_us_per_msg=%.1f ratio_bare_read_%s=%s alert_p99_ms=%s"
                        + " state_bytes_per_key=%d%n",
                defaultBackend,
                parallelisms.get(0),
                main.msgsPerSecond,
                main.msgsPerSecond * first.llmPerMessage(),
                main.msgsPerSecond / brokerReads.get(first).msgsPerSecond,
                main.cpuUsPerMessage,
                sparse == null ? "sparse" : "1in" + Math.round(1 / sparse.llmShare()),
                sparseMain == null
                        ? "n/a"
                        : String.format(
                                Locale.ROOT,
                                "%.2f",
                                sparseMain.msgsPerSecond / brokerReads.get(sparse).msgsPerSecond),
                latency.webhook.isEmpty() ? "n/a" : Long.toString(percentile(latency.webhook, 99)),
                state.defaultKeyBytes());
    }

    private static Rate find(List<Measured> rows, Topic t, String backend, int p) {
        for (Measured m : rows) {
            if (m.topic() == t && m.backend().equals(backend) && m.parallelism() == p) {
                return m.rate();
            }
        }
        return rows.get(0).rate();
    }

    private static void row(String what, Rate r, Topic t, Rate broker) {
        System.out.printf(
                Locale.ROOT,
                "  %-50s %,9.0f msgs/s %,9.0f LLM spans/s %7.1f MB/s%s  %.2f of the broker read%n",
                what,
                r.msgsPerSecond,
                r.msgsPerSecond * t.llmPerMessage(),
                r.msgsPerSecond * t.bytes() / t.messages() / 1e6,
                Double.isNaN(r.cpuUsPerMessage)
                        ? "                "
                        : String.format(Locale.ROOT, " %6.1f us CPU/msg", r.cpuUsPerMessage),
                r.msgsPerSecond / broker.msgsPerSecond);
    }

    // ---- 1. preload

    private Topic preload(String topic, int n, double share) throws Exception {
        createTopics(partitions, topic);
        log(
                "preloading %,d generated messages (LLM share %.2f) into %s (%d partitions)",
                n, share, topic, partitions);
        long t0 = System.currentTimeMillis() - n * 5L;
        long start = System.nanoTime();
        long bytes = 0;
        long llm;
        try (KafkaProducer<byte[], byte[]> p = producer();
                TelemetryGenerator gen =
                        new TelemetryGenerator(42, List.of(), share < 0.5 ? 6 : 4)
                                .llmShare(share)) {
            for (int i = 0; i < n; i++) {
                long t = t0 + i * 5L;
                byte[] v = gen.nextMessage(t);
                bytes += v.length;
                p.send(new ProducerRecord<>(topic, null, t, null, v));
                if (i % 50_000 == 49_999) {
                    log("  %,d sent", i + 1);
                }
            }
            p.flush();
            llm = gen.llmSpans();
        }
        log(
                "preloaded %,d messages, %,d LLM spans, %.0f MB in %.1f s",
                n, llm, bytes / 1e6, (System.nanoTime() - start) / 1e9);
        return new Topic(topic, share, n, llm, bytes);
    }

    // ---- 2. the bare broker read

    /**
     * A steady-state rate, and the TaskManager's CPU time per message over the same interval: what
     * a change to the job's own work moves even when the shared machine lends it more or fewer
     * cores from one run to the next (NaN where not measured).
     */
    private record Rate(double msgsPerSecond, double mbPerSecond, double cpuUsPerMessage) {
        Rate(double msgsPerSecond, double mbPerSecond) {
            this(msgsPerSecond, mbPerSecond, Double.NaN);
        }
    }

    /** The TaskManager's user + system CPU time so far, in microseconds; -1 if unknown. */
    private long taskManagerCpuUs() {
        try {
            String pid = Files.readString(root.resolve(".run/flink/taskmanager.pid")).trim();
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // fields after the command name, which is in parentheses and may contain spaces
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            return ticks * 1_000_000L / 100; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private Rate bareBrokerRead(Topic topic) throws Exception {
        List<String> cmd =
                List.of(
                        "java",
                        "-cp",
                        root.resolve(".run/kafka/lib").toString() + "/*",
                        "org.apache.kafka.tools.ConsumerPerformance",
                        "--bootstrap-server",
                        bootstrap,
                        "--topic",
                        topic.name(),
                        "--messages",
                        Integer.toString(topic.messages()),
                        "--timeout",
                        "120000");
        String out = exec(cmd, 300);
        // One summary line (detailed stats print only per interval, nothing for a short read):
        // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
        // rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
        String last = null;
        for (String line : out.split("\n")) {
            if (line.matches("^\\d{4}-.*")) {
                last = line;
            }
        }
        if (last == null) {
            throw new IllegalStateException("ConsumerPerformance printed no figures:\n" + out);
        }
        String[] f = last.split(",\\s*");
        double mbs = Double.parseDouble(f[f.length - 2]);
        double nps = Double.parseDouble(f[f.length - 1]);
        log(
                "bare broker read %s: %,.0f msgs/s, %.1f MB/s (fetch time, without the group join)",
                topic.mix(), nps, mbs);
        return new Rate(nps, mbs);
    }

    // ---- 3/4. jobs on the cluster

    private List<String> common(String topic, int parallelism, String offsets, String anomalies) {
        return new ArrayList<>(
                List.of(
                        "--config",
                        config.toString(),
                        "--kafka.bootstrap-servers",
                        bootstrap,
                        "--kafka.starting-offsets",
                        offsets,
                        "--kafka.group-id",
                        "bench-" + run + "-" + UUID.randomUUID(),
                        "--inputs.otlp-traces.topic",
                        topic,
                        "--inputs.native-events.topic",
                        "bench-" + run + "-native",
                        "--sinks.kafka.topic",
                        anomalies,
                        "--sinks.kafka.transactional-id-prefix",
                        "bench-" + run + "-" + UUID.randomUUID(),
                        "--dead-letter.topic",
                        "bench-" + run + "-dlq",
                        "--job.parallelism",
                        Integer.toString(parallelism)));
    }

    /** This run's own (empty) metrics and control topics, where the measured build has them. */
    private List<String> ownOptionalTopics(Path config) throws IOException {
        String yaml = Files.readString(config);
        List<String> args = new ArrayList<>();
        if (yaml.contains("otlp-metrics:")) {
            args.addAll(List.of("--inputs.otlp-metrics.topic", "bench-" + run + "-metrics"));
        }
        if (yaml.contains("\ncontrol:")) {
            args.addAll(List.of("--control.topic", "bench-" + run + "-control"));
        }
        return args;
    }

    private List<String> bareFlinkArgs(Topic topic) {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                root.resolve("scripts/flink.sh").toString(),
                                "run",
                                "-d",
                                "-C",
                                benchJar.toUri().toString(),
                                "-c",
                                "io.llmsentinel.devtools.bench.BareReadJob",
                                root.resolve("job/target/sentinel-job.jar").toString()));
        List<String> args = common(topic.name(), 2, "earliest", "bench-" + run + "-anomalies");
        args.set(1, root.resolve("conf/sentinel.yaml").toString()); // this build's job and keys
        cmd.addAll(args);
        return cmd;
    }

    private Rate measureEarlier(Topic topic, String name) throws Exception {
        int p = parallelisms.get(0);
        return measureJob(
                name,
                fullJobArgs(compareJar, compareConfig, topic, p, defaultBackend),
                "sentinel.messages",
                null,
                topic,
                1.0);
    }

    /** The full job on {@code backend} ({@code -D state.backend.type}, a job-level setting). */
    private List<String> fullJobArgs(Path jar, Path config, Topic topic, int p, String backend)
            throws IOException {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                root.resolve("scripts/flink.sh").toString(),
                                "run",
                                "-d",
                                "-Dstate.backend.type=" + backend,
                                jar.toString()));
        List<String> args = common(topic.name(), p, "earliest", "bench-" + run + "-anomalies");
        args.set(1, config.toString());
        cmd.addAll(args);
        cmd.addAll(ownOptionalTopics(config));
        cmd.addAll(List.of("--sinks.console.enabled", "false"));
        return cmd;
    }

    private record Memory(long heapUsed, long heapMax, long stateBytes, long keys) {
        void print() {
            System.out.printf(
                    Locale.ROOT,
                    "  memory: TaskManager heap %.0f of %.0f MB; last checkpoint %.1f MB over %,d"
                            + " active keys (offsets, output backlogs and broadcast state included)%n",
                    heapUsed / 1e6,
                    heapMax / 1e6,
                    stateBytes / 1e6,
                    keys);
        }
    }

    /**
     * Submits a job, follows the counter {@code metric} (summed over subtasks) until it has read
     * {@code share} of the topic, and returns the steady-state rate; cancels the job.
     */
    private Rate measureJob(
            String name,
            List<String> submit,
            String metric,
            Memory[] memory,
            Topic topic,
            double share)
            throws Exception {
        log("%s: submitting", name);
        String out = exec(submit, 180);
        Matcher m = Pattern.compile("JobID ([0-9a-f]{32})").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no JobID in:\n" + out);
        }
        String job = m.group(1);
        int messages = topic.messages();
        try {
            if (name.startsWith("full") || name.startsWith("warm")) {
                log("%s: state backend %s", name, stateBackendOf(job));
            }
            // every vertex with the metric (the spans reader, and readers of empty topics)
            List<String[]> found = new ArrayList<>();
            List<long[]> samples = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 900_000;
            boolean profiled = false;
            while (System.currentTimeMillis() < deadline) {
                Thread.sleep(
                        1_000); // the REST API refreshes metrics every 1 s (conf/flink-cluster)
                // Readers register their metrics as their subtasks start: look again each time.
                found.clear();
                {
                    for (JsonNode v : rest("/jobs/" + job).path("vertices")) {
                        for (JsonNode mm :
                                rest(
                                        "/jobs/"
                                                + job
                                                + "/vertices/"
                                                + v.get("id").asText()
                                                + "/subtasks/metrics")) {
                            if (mm.get("id").asText().endsWith(metric)) {
                                found.add(
                                        new String[] {v.get("id").asText(), mm.get("id").asText()});
                            }
                        }
                    }
                }
                long total = 0;
                boolean answered = false;
                for (String[] f : found) {
                    JsonNode agg =
                            rest(
                                    "/jobs/"
                                            + job
                                            + "/vertices/"
                                            + f[0]
                                            + "/subtasks/metrics?get="
                                            + java.net.URLEncoder.encode(
                                                    f[1], java.nio.charset.StandardCharsets.UTF_8)
                                            + "&agg=sum");
                    if (agg.isArray() && !agg.isEmpty()) {
                        total += (long) agg.get(0).get("sum").asDouble();
                        answered = true;
                    }
                }
                if (!answered) {
                    continue;
                }
                samples.add(new long[] {System.nanoTime(), total, taskManagerCpuUs()});
                // The cold start early (JIT at work), measured runs in their steady state.
                double at = name.startsWith("warm") ? 0.05 : 0.3;
                if (profile
                        && !profiled
                        && (name.startsWith("full") || name.startsWith("warm"))
                        && total > messages * at) {
                    profiled = true;
                    // beside the sampling, so the profile does not stretch the measured interval
                    Thread t =
                            new Thread(
                                    () -> {
                                        try {
                                            profileTaskManager(name);
                                        } catch (Exception e) {
                                            log("%s: profiling failed: %s", name, e);
                                        }
                                    },
                                    "bench-profiler");
                    t.setDaemon(true);
                    t.start();
                }
                if (total >= messages * share) {
                    break;
                }
            }
            if (memory != null) {
                memory[0] = memory(job);
            }
            Rate r = steady(samples, messages);
            log(
                    "%s: %,.0f msgs/s in steady state (%d samples), TaskManager CPU %.1f us per"
                            + " message",
                    name, r.msgsPerSecond, samples.size(), r.cpuUsPerMessage);
            return new Rate(
                    r.msgsPerSecond,
                    r.msgsPerSecond * topic.bytes() / messages / 1e6,
                    r.cpuUsPerMessage);
        } finally {
            exec(List.of(root.resolve("scripts/flink.sh").toString(), "cancel", job), 120);
        }
    }

    /** The state backend the job runs on, as its checkpoint configuration says. */
    private static String stateBackendOf(String job) {
        try {
            return rest("/jobs/" + job + "/checkpoints/config").path("state_backend").asText("?");
        } catch (Exception e) {
            return "? (" + e.getMessage() + ")";
        }
    }

    /** The slope of (time, count) between 20% and 90% of the messages. */
    private static Rate steady(List<long[]> samples, int messages) {
        long lo = (long) (messages * 0.2);
        long hi = (long) (messages * 0.9);
        long[] first = null;
        long[] last = null;
        for (long[] s : samples) {
            if (first == null && s[1] >= lo) {
                first = s;
            }
            if (s[1] <= hi) {
                last = s;
            }
        }
        if (first == null || last == null || last[0] <= first[0]) {
            first = samples.get(0);
            last = samples.get(samples.size() - 1);
        }
        double seconds = (last[0] - first[0]) / 1e9;
        double cpu =
                first.length > 2 && first[2] >= 0 && last[2] >= 0 && last[1] > first[1]
                        ? (double) (last[2] - first[2]) / (last[1] - first[1])
                        : Double.NaN;
        return new Rate(seconds <= 0 ? 0 : (last[1] - first[1]) / seconds, 0, cpu);
    }

    private Memory memory(String job) throws Exception {
        long heapUsed = 0;
        long heapMax = 0;
        for (JsonNode tm : rest("/taskmanagers").path("taskmanagers")) {
            JsonNode ms =
                    rest(
                            "/taskmanagers/"
                                    + tm.get("id").asText()
                                    + "/metrics?get=Status.JVM.Memory.Heap.Used,Status.JVM.Memory.Heap.Max");
            for (JsonNode x : ms) {
                if (x.get("id").asText().endsWith("Used")) {
                    heapUsed += x.get("value").asLong();
                } else {
                    heapMax += x.get("value").asLong();
                }
            }
        }
        // a checkpoint after the input is read: the state of every key
        long state = 0;
        long deadline = System.currentTimeMillis() + 40_000;
        long startedAt = System.currentTimeMillis();
        while (System.currentTimeMillis() < deadline) {
            JsonNode latest =
                    rest("/jobs/" + job + "/checkpoints").path("latest").path("completed");
            if (!latest.isMissingNode()
                    && latest.path("latest_ack_timestamp").asLong() > startedAt) {
                state = latest.path("state_size").asLong(latest.path("full_size").asLong());
                if (latest.has("full_size")) {
                    state = latest.get("full_size").asLong();
                }
                break;
            }
            Thread.sleep(2_000);
        }
        long keys = 0;
        for (JsonNode v : rest("/jobs/" + job).path("vertices")) {
            JsonNode list =
                    rest(
                            "/jobs/"
                                    + job
                                    + "/vertices/"
                                    + v.get("id").asText()
                                    + "/subtasks/metrics");
            for (JsonNode mm : list) {
                if (mm.get("id").asText().endsWith("sentinel.activeKeys")) {
                    JsonNode s =
                            rest(
                                    "/jobs/"
                                            + job
                                            + "/vertices/"
                                            + v.get("id").asText()
                                            + "/subtasks/metrics?get="
                                            + mm.get("id").asText()
                                            + "&agg=sum");
                    keys += (long) s.get(0).get("sum").asDouble();
                }
            }
        }
        return new Memory(heapUsed, heapMax, state, keys);
    }

    private void profileTaskManager(String name) throws Exception {
        Path pidFile = root.resolve(".run/flink/taskmanager.pid");
        if (!Files.exists(pidFile)) {
            log("no TaskManager pid file; not profiling");
            return;
        }
        String pid = Files.readString(pidFile).trim();
        Path dir = root.resolve("job/target/profile");
        Files.createDirectories(dir);
        Path flame = dir.resolve("flamegraph-" + name + "-" + run + ".html");
        Path collapsed = dir.resolve("collapsed-" + name + "-" + run + ".txt");
        String loader = System.getProperty("sentinel.aploader");
        if (loader == null) {
            log("no async-profiler (ap-loader) on the classpath; not profiling");
            return;
        }
        log("%s: profiling the TaskManager (pid %s) for 15 s with async-profiler", name, pid);
        // Collapsed stacks first (while the job surely still runs), then the flame graph.
        exec(
                List.of(
                        "java",
                        "-jar",
                        loader,
                        "profiler",
                        "-e",
                        "itimer",
                        "-d",
                        "15",
                        "-t", // per thread: which task is the bottleneck
                        "-o",
                        "collapsed",
                        "-f",
                        collapsed.toString(),
                        pid),
                120);
        exec(
                List.of(
                        "java",
                        "-jar",
                        loader,
                        "profiler",
                        "-e",
                        "itimer",
                        "-d",
                        "5",
                        "-f",
                        flame.toString(),
                        pid),
                120);
        profiles.add(collapsed);
        log("%s: flame graph %s, collapsed stacks %s", name, flame, collapsed);
    }

    // ---- 5. latency at a fixed offered load

    /**
     * Alert latencies apart for per-request metrics (from the alerting span's time) and window
     * metrics (from the window's end: such an alert waits for the watermark, which allows {@code
     * event-time.max-out-of-orderness} of disorder, 30 s by default, by design).
     */
    private record Latency(
            List<Long> webhook,
            List<Long> webhookWindows,
            List<Long> console,
            List<Long> consoleWindows,
            List<Long> anomalyTopic,
            double offered) {
        static Latency none() {
            return new Latency(List.of(), List.of(), List.of(), List.of(), List.of(), 0);
        }

        void print() {
            System.out.printf(
                    Locale.ROOT,
                    "  latency at %,.0f LLM spans/s offered (span's Kafka timestamp -> output;"
                            + " live traffic only, not its back-dated warm-up):%n",
                    offered);
            line("alert at the webhook", webhook);
            line("alert on the console", console);
            line("anomaly on the exactly-once topic", anomalyTopic);
            System.out.println(
                    "  window alerts (rates, from the window's end; they wait for the watermark,"
                            + " 30 s of allowed disorder):");
            line("alert at the webhook", webhookWindows);
            line("alert on the console", consoleWindows);
        }

        private static void line(String what, List<Long> ms) {
            if (ms.isEmpty()) {
                System.out.printf(Locale.ROOT, "    %-36s no samples%n", what);
                return;
            }
            System.out.printf(
                    Locale.ROOT,
                    "    %-36s p50 %,6d ms  p99 %,6d ms  max %,6d ms  (%d samples)%n",
                    what,
                    percentile(ms, 50),
                    percentile(ms, 99),
                    Collections.max(ms),
                    ms.size());
        }
    }

    private Latency latency() throws Exception {
        String topic = "bench-" + run + "-live";
        String anomalies = "bench-" + run + "-live-anomalies";
        createTopics(partitions, topic, anomalies);
        List<Long> webhook = new CopyOnWriteArrayList<>();
        List<Long> webhookWindows = new CopyOnWriteArrayList<>();
        List<Long> console = new CopyOnWriteArrayList<>();
        List<Long> consoleWindows = new CopyOnWriteArrayList<>();
        List<Long> onTopic = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        receiver.setExecutor(Executors.newFixedThreadPool(4));
        receiver.createContext(
                "/hook",
                ex -> {
                    long now = System.currentTimeMillis();
                    byte[] body = ex.getRequestBody().readAllBytes();
                    ex.sendResponseHeaders(204, -1);
                    ex.close();
                    JsonNode n = JSON.readTree(body);
                    JsonNode et = n.path("data").path("event_time");
                    if (n.path("type").asText().equals("anomaly.detected")
                            && et.isTextual()
                            && Instant.parse(et.asText()).toEpochMilli() >= liveFromMs) {
                        (isWindowMetric(n.path("data").path("metric").asText())
                                        ? webhookWindows
                                        : webhook)
                                .add(now - Instant.parse(et.asText()).toEpochMilli());
                    }
                });
        receiver.start();
        Path config = root.resolve(".run/bench-" + run + ".yaml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "sinks:",
                        "  console:",
                        "    enabled: true",
                        "    min-severity: low",
                        "  webhooks:",
                        "    - name: bench",
                        "      url: http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                        "      secrets: [\"whsec_"
                                + Base64.getEncoder().encodeToString(randomBytes())
                                + "\"]",
                        "      min-severity: low",
                        ""));
        List<String> submit =
                new ArrayList<>(
                        List.of(
                                root.resolve("scripts/flink.sh").toString(),
                                "run",
                                "-d",
                                "-Dstate.backend.type=" + defaultBackend,
                                jar.toString()));
        List<String> args = common(topic, parallelisms.get(0), "latest", anomalies);
        args.set(1, config.toString()); // this file (console and the webhook), defaults otherwise
        args.addAll(ownOptionalTopics(this.config));
        submit.addAll(args);
        Path stdout = root.resolve(".run/flink/log/taskmanager.out");
        AtomicBoolean done = new AtomicBoolean();
        Thread tail =
                new Thread(
                        () -> tailConsole(stdout, console, consoleWindows, done),
                        "bench-console-tail");
        Thread topicReader = new Thread(() -> readTopic(anomalies, onTopic, done), "bench-topic");
        log("latency: submitting the full job reading %s from the latest offset", topic);
        String out = exec(submit, 180);
        Matcher m = Pattern.compile("JobID ([0-9a-f]{32})").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no JobID in:\n" + out);
        }
        String job = m.group(1);
        double offered;
        try {
            waitRunning(job);
            Thread.sleep(5_000);
            tail.start();
            topicReader.start();
            offered = produceLive(topic);
            Thread.sleep(15_000); // the last alerts, and a checkpoint for the topic
        } finally {
            done.set(true);
            exec(List.of(root.resolve("scripts/flink.sh").toString(), "cancel", job), 120);
            receiver.stop(0);
            Files.deleteIfExists(config);
        }
        tail.join();
        topicReader.join();
        return new Latency(
                new ArrayList<>(webhook),
                new ArrayList<>(webhookWindows),
                new ArrayList<>(console),
                new ArrayList<>(consoleWindows),
                new ArrayList<>(onTopic),
                offered);
    }

    /** Offers the configured LLM spans per second, live, with a short incident every 10 s. */
    private double produceLive(String topic) throws Exception {
        List<String> services = TelemetryGenerator.services();
        List<Incident> incidents = new ArrayList<>();
        long start = System.currentTimeMillis() + 30_000; // 30 s of baseline first
        long end = start + latencySeconds * 1000L;
        for (long t = start + 5_000, i = 0; t < end; t += 10_000, i++) {
            String s = services.get((int) (i % services.size()));
            incidents.add(new Incident(Incident.Type.LATENCY_SPIKE, s, "-", t, t + 4_000));
        }
        log(
                "latency: offering %,d LLM spans/s for %d s (after 30 s of baseline), an incident"
                        + " every 10 s",
                offeredSpansPerSecond, latencySeconds);
        long spans0;
        long sentAt0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p = producer();
                TelemetryGenerator gen = new TelemetryGenerator(7, incidents, 4)) {
            long t = System.currentTimeMillis() - 30_000; // warm-up history, fast
            while (t < System.currentTimeMillis()) {
                p.send(new ProducerRecord<>(topic, null, t, null, gen.nextMessage(t)));
                t += 2;
            }
            spans0 = gen.llmSpans();
            sentAt0 = System.nanoTime();
            long first = System.currentTimeMillis();
            liveFromMs = first;
            while (System.currentTimeMillis() < end) {
                long now = System.currentTimeMillis();
                long due = first + (gen.llmSpans() - spans0) * 1000L / offeredSpansPerSecond;
                if (due > now) {
                    Thread.sleep(Math.min(5, due - now));
                    continue;
                }
                p.send(new ProducerRecord<>(topic, null, now, null, gen.nextMessage(now)));
            }
            p.flush();
            double seconds = (System.nanoTime() - sentAt0) / 1e9;
            return (gen.llmSpans() - spans0) / seconds;
        }
    }

    private void tailConsole(Path file, List<Long> out, List<Long> windows, AtomicBoolean done) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long pos = f.length();
            StringBuilder partial = new StringBuilder();
            while (!done.get()) {
                long len = f.length();
                if (len < pos) {
                    pos = 0;
                }
                if (len > pos) {
                    f.seek(pos);
                    byte[] b = new byte[(int) Math.min(len - pos, 1 << 20)];
                    f.readFully(b);
                    pos += b.length;
                    long now = System.currentTimeMillis();
                    partial.append(new String(b, StandardCharsets.UTF_8));
                    int nl;
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        String line = partial.substring(0, nl);
                        partial.delete(0, nl + 1);
                        consoleLine(line, now, out, windows);
                    }
                } else {
                    Thread.sleep(5);
                }
            }
        } catch (IOException | InterruptedException e) {
            log("console tail stopped: %s", e);
        }
    }

    private static boolean isWindowMetric(String code) {
        try {
            return !Metric.fromCode(code).perRequest();
        } catch (RuntimeException unknown) {
            return false;
        }
    }

    private void consoleLine(String line, long now, List<Long> out, List<Long> windows) {
        int brace = line.indexOf('{');
        if (brace < 0) {
            return;
        }
        try {
            JsonNode n = JSON.readTree(line.substring(brace));
            if (n.path("record_type").asText().equals("alert")
                    && !n.path("state").asText().equals("resolved")
                    && n.path("anomaly").path("event_time").isTextual()
                    && Instant.parse(n.path("anomaly").path("event_time").asText()).toEpochMilli()
                            >= liveFromMs) {
                (isWindowMetric(n.path("metric").asText()) ? windows : out)
                        .add(
                                now
                                        - Instant.parse(
                                                        n.path("anomaly")
                                                                .path("event_time")
                                                                .asText())
                                                .toEpochMilli());
            }
        } catch (IOException | RuntimeException notAnAlert) {
            // other output on stdout
        }
    }

    private void readTopic(String topic, List<Long> out, AtomicBoolean done) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-latency-" + run);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            while (!done.get()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    JsonNode n = JSON.readTree(r.value());
                    if (!n.path("record_type").asText().equals("alert")
                            && n.path("event_time").isTextual()) {
                        long t = Instant.parse(n.get("event_time").asText()).toEpochMilli();
                        if (t >= liveFromMs) {
                            out.add(now - t);
                        }
                    }
                }
            }
        } catch (IOException e) {
            log("anomaly topic reader stopped: %s", e);
        }
    }

    // ---- plumbing

    static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private void waitRunning(String job) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            boolean all = true;
            for (JsonNode v : rest("/jobs/" + job).path("vertices")) {
                all &= v.path("status").asText().equals("RUNNING");
            }
            if (all) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("job " + job + " did not start within 120 s");
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[24];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L * 1024 * 1024));
        return new KafkaProducer<>(p);
    }

    private void createTopics(int partitions, String... names) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (AdminClient admin = AdminClient.create(p)) {
            List<NewTopic> topics = new ArrayList<>();
            for (String n : names) {
                topics.add(new NewTopic(n, partitions, (short) 1));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
        Thread.sleep(1_000);
    }

    private static JsonNode rest(String path) throws Exception {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(REST + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(
                    "GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private String exec(List<String> cmd, int timeoutSeconds) throws Exception {
        Path logf = Files.createTempFile("bench-", ".log");
        Process p =
                new ProcessBuilder(cmd)
                        .directory(root.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(logf.toFile())
                        .start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " timed out");
        }
        String out = Files.readString(logf);
        Files.delete(logf);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    private static void log(String fmt, Object... args) {
        System.out.printf(
                Locale.ROOT,
                "[%s] %s%n",
                java.time.LocalTime.now().withNano(0),
                String.format(Locale.ROOT, fmt, args));
    }
}

package io.llmsentinel.devtools.generator;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code scripts/generate.sh}: sends generated OTLP/JSON telemetry to Kafka, with incidents and
 * malformed messages injected on demand, and writes what it injected when to a record file.
 *
 * <pre>
 *   --bootstrap-servers HOST:PORT   (localhost:9092)
 *   --topic NAME                    (otlp_spans)
 *   --rate N                        messages per second of event time (20)
 *   --duration SECONDS              how much event time to generate (60)
 *   --fast                          send as fast as possible; event time still advances 1/rate
 *                                   per message, starting --duration seconds ago
 *   --incident TYPE[:SERVICE]@START+LENGTH   e.g. latency_spike@40+20 (seconds from the start);
 *                                   repeatable. Types: latency_spike, token_explosion,
 *                                   cost_jump, error_burst, and the LLM-specific truncation,
 *                                   content_filter, rate_limited, tool_failures, cache_miss
 *   --bad-every N                   every Nth message is malformed (0 = none)
 *   --max-spans N                   spans per message, at most (6)
 *   --llm-share F                   share of LLM spans among all spans (0.5: each model call
 *                                   with its server span; 0.05: one in twenty, the other 19 the
 *                                   application's database, cache and service calls)
 *   --record FILE                   incidents as JSON lines, plus a summary line
 *   --seed N                        (42)
 *   --metrics                       also send the GenAI metrics an instrumented application
 *                                   exports (OpenTelemetry SDK, OTLP/JSON) to --metrics-topic
 *   --metrics-topic NAME            (otlp_metrics)
 *   --metrics-interval SECONDS      export interval, in event time (10)
 *   --metrics-temporality T         cumulative (the SDK default) or delta
 *   --metrics-only SERVICE,...      these services send metrics only, no spans
 *   --no-heavy-tail                 no call in 1,000 at 20-100x the median (HeavyTail)
 *   --pause-file FILE               while FILE exists nothing is sent (spans nor metrics): the
 *                                   applications went quiet; the clock runs on, so traffic
 *                                   resumes at the current time, not with a backlog
 * </pre>
 */
public final class GeneratorMain {
    private GeneratorMain() {}

    public static void main(String[] args) throws Exception {
        Map<String, List<String>> a = parse(args);
        String brokers = one(a, "bootstrap-servers", "localhost:9092");
        String topic = one(a, "topic", "otlp_spans");
        double rate = Double.parseDouble(one(a, "rate", "20"));
        long durationMs = Math.round(Double.parseDouble(one(a, "duration", "60")) * 1000);
        boolean fast = a.containsKey("fast");
        int badEvery = Integer.parseInt(one(a, "bad-every", "0"));
        int maxSpans = Integer.parseInt(one(a, "max-spans", "6"));
        long seed = Long.parseLong(one(a, "seed", "42"));
        String record = one(a, "record", null);
        boolean metrics = a.containsKey("metrics");
        String metricsTopic = one(a, "metrics-topic", "otlp_metrics");
        long metricsIntervalMs =
                Math.round(Double.parseDouble(one(a, "metrics-interval", "10")) * 1000);
        boolean cumulative = !"delta".equals(one(a, "metrics-temporality", "cumulative"));
        java.util.Set<String> metricsOnly =
                new java.util.HashSet<>(
                        List.of(one(a, "metrics-only", "").split(",")).stream()
                                .filter(x -> !x.isBlank())
                                .toList());
        Path pauseFile = a.containsKey("pause-file") ? Path.of(one(a, "pause-file", null)) : null;
        if (!(rate > 0) || durationMs <= 0) {
            throw new IllegalArgumentException("--rate and --duration must be > 0");
        }

        long startMs = fast ? System.currentTimeMillis() - durationMs : System.currentTimeMillis();
        List<Incident> incidents = new ArrayList<>();
        for (String spec : a.getOrDefault("incident", List.of())) {
            incidents.add(parseIncident(spec, startMs));
        }
        if (record != null) {
            Path parent = Path.of(record).toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(record)))) {
                for (Incident i : incidents) {
                    w.println(i.toJson());
                }
            }
        }
        for (Incident i : incidents) {
            System.out.printf(
                    "generator: will inject %s into %s (%s) from %s for %d s%n",
                    i.type().code(),
                    i.service(),
                    i.model(),
                    Instant.ofEpochMilli(i.startMs()),
                    (i.endMs() - i.startMs()) / 1000);
        }

        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 * 1024 * 1024));
        // Not idempotent, one request in flight (same order): a 3.4 idempotent producer can
        // wedge on OUT_OF_ORDER_SEQUENCE_NUMBER retries against a topic that just got a leader.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");

        long total = Math.max(1, Math.round(durationMs / 1000.0 * rate));
        double stepMs = 1000.0 / rate;
        long sent = 0;
        long bad = 0;
        long bytes = 0;
        long wallStart = System.nanoTime();
        long lastReport = wallStart;
        Future<RecordMetadata> last = null;
        long metricMessages = 0;
        long paused = 0;
        long nextExport = startMs + metricsIntervalMs;
        io.llmsentinel.functions.read.OtlpTraceReader serviceOf =
                new io.llmsentinel.functions.read.OtlpTraceReader(
                        io.llmsentinel.functions.read.PriceTable.empty(), 16 << 20, 0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
                TelemetryGenerator gen =
                        new TelemetryGenerator(
                                        seed,
                                        incidents,
                                        maxSpans,
                                        a.containsKey("no-heavy-tail")
                                                ? HeavyTail.OFF
                                                : HeavyTail.DEFAULT)
                                .llmShare(Double.parseDouble(one(a, "llm-share", "0.5")));
                MetricsRecorder recorder =
                        metrics ? new MetricsRecorder(cumulative, startMs) : null) {
            for (long n = 0; n < total; n++) {
                long eventTime = startMs + Math.round(n * stepMs);
                if (!fast) {
                    long wait = eventTime - System.currentTimeMillis();
                    if (wait > 0) {
                        Thread.sleep(wait);
                    }
                }
                if (pauseFile != null && Files.exists(pauseFile)) {
                    // Nothing is generated, so the metrics count no requests in the pause either.
                    paused++;
                    while (eventTime >= nextExport) {
                        nextExport += metricsIntervalMs;
                    }
                    continue;
                }
                byte[] value;
                if (badEvery > 0 && n % badEvery == badEvery - 1) {
                    value = BadMessages.ALL.get((int) (bad % BadMessages.ALL.size())).payload();
                    bad++;
                } else {
                    value = gen.nextMessage(eventTime);
                    if (recorder != null) {
                        recorder.record(value);
                        if (!metricsOnly.isEmpty()) {
                            var reqs = serviceOf.read(value).requests();
                            if (!reqs.isEmpty() && metricsOnly.contains(reqs.get(0).service)) {
                                value = null; // this service sends metrics only
                            }
                        }
                    }
                }
                if (recorder != null && eventTime >= nextExport) {
                    for (byte[] m : recorder.collect(nextExport)) {
                        producer.send(
                                new ProducerRecord<>(metricsTopic, null, nextExport, null, m));
                        metricMessages++;
                    }
                    nextExport += metricsIntervalMs;
                }
                if (value == null) {
                    continue;
                }
                bytes += value.length;
                last = producer.send(new ProducerRecord<>(topic, null, eventTime, null, value));
                sent++;
                long now = System.nanoTime();
                if (now - lastReport > 5_000_000_000L) {
                    lastReport = now;
                    System.out.printf(
                            Locale.ROOT,
                            "generator: %d messages (%d LLM spans, %d other spans, %d malformed),"
                                    + " %.0f msg/s%s%n",
                            sent,
                            gen.llmSpans(),
                            gen.otherSpans(),
                            bad,
                            sent / ((now - wallStart) / 1e9),
                            paused == 0 ? "" : ", " + paused + " due while paused, not sent");
                }
            }
            if (recorder != null) {
                for (byte[] m : recorder.collect(startMs + durationMs)) {
                    producer.send(
                            new ProducerRecord<>(
                                    metricsTopic, null, startMs + durationMs, null, m));
                    metricMessages++;
                }
                System.out.printf(
                        Locale.ROOT,
                        "generator: %d OTLP metrics messages (%s) to %s%s%n",
                        metricMessages,
                        cumulative ? "cumulative" : "delta",
                        metricsTopic,
                        metricsOnly.isEmpty() ? "" : "; metrics only from " + metricsOnly);
            }
            producer.flush();
            if (last != null) {
                last.get();
            }
            double seconds = (System.nanoTime() - wallStart) / 1e9;
            String summary =
                    String.format(
                            Locale.ROOT,
                            "{\"summary\":true,\"messages\":%d,\"llm_spans\":%d,\"other_spans\":%d,"
                                    + "\"malformed\":%d,\"bytes\":%d,\"seconds\":%.1f,"
                                    + "\"start_ms\":%d,\"end_ms\":%d,\"paused\":%d}",
                            sent,
                            gen.llmSpans(),
                            gen.otherSpans(),
                            bad,
                            bytes,
                            seconds,
                            startMs,
                            startMs + durationMs,
                            paused);
            System.out.printf(
                    Locale.ROOT,
                    "generator: done: %d messages to %s (%d LLM spans, %d other spans, %d"
                            + " malformed), %.1f MB in %.1f s (%.0f msg/s)%n",
                    sent,
                    topic,
                    gen.llmSpans(),
                    gen.otherSpans(),
                    bad,
                    bytes / 1e6,
                    seconds,
                    sent / seconds);
            if (record != null) {
                Files.writeString(
                        Path.of(record),
                        summary + "\n",
                        StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.APPEND);
            }
        }
    }

    public static Incident parseIncident(String spec, long startMs) {
        // TYPE[:SERVICE]@START+LENGTH, seconds
        int at = spec.indexOf('@');
        int plus = spec.indexOf('+', at);
        if (at < 0 || plus < 0) {
            throw new IllegalArgumentException(
                    "--incident '" + spec + "' must look like latency_spike@40+20");
        }
        String head = spec.substring(0, at);
        String service = null;
        int colon = head.indexOf(':');
        if (colon >= 0) {
            service = head.substring(colon + 1);
            head = head.substring(0, colon);
        }
        Incident.Type type = Incident.Type.fromCode(head);
        String[] target = TelemetryGenerator.defaultTarget(type);
        if (service == null) {
            service = target[0];
        }
        long from = startMs + Math.round(Double.parseDouble(spec.substring(at + 1, plus)) * 1000);
        long length = Math.round(Double.parseDouble(spec.substring(plus + 1)) * 1000);
        return new Incident(
                type, service, service.equals(target[0]) ? target[1] : "*", from, from + length);
    }

    /** Options that take no value. */
    static final java.util.Set<String> FLAGS = java.util.Set.of("fast", "metrics", "no-heavy-tail");

    static Map<String, List<String>> parse(String[] args) {
        Map<String, List<String>> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String name = args[i].substring(2);
            String value = "true";
            if (!FLAGS.contains(name)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                value = args[++i];
            }
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static String one(Map<String, List<String>> a, String name, String dflt) {
        List<String> v = a.get(name);
        return v == null ? dflt : v.get(v.size() - 1);
    }
}

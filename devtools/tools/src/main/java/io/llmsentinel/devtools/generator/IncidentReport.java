package io.llmsentinel.devtools.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.devtools.backtest.AlertSummary;
import io.llmsentinel.devtools.backtest.IncidentWindow;
import io.llmsentinel.functions.config.DetectionOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Scores a run against the generator's record of injected incidents: reads the anomalies the job
 * wrote to Kafka and prints, per incident, whether it was detected, how long after it began, and
 * with which anomaly types; then the anomalies outside every incident (false alarms) per hour of
 * generated event time.
 *
 * <pre>
 *   scripts/report.sh --record FILE [--bootstrap-servers H:P] [--topic sentinel.anomalies]
 *                     [--window-ms 60000] [--config FILE]
 * </pre>
 *
 * {@code --config} is the job's configuration, for the metrics its detection watches: an incident
 * of an LLM-specific kind is scored only when its share is watched (the defaults, without it).
 */
public final class IncidentReport {
    private IncidentReport() {}

    /** Anomaly types that count as detecting each incident type. */
    static final Map<Incident.Type, Set<String>> EXPECTED =
            Map.of(
                    Incident.Type.LATENCY_SPIKE, Set.of("latency_spike", "ttft_spike"),
                    Incident.Type.TOKEN_EXPLOSION, Set.of("token_usage_spike"),
                    Incident.Type.COST_JUMP, Set.of("cost_anomaly"),
                    Incident.Type.ERROR_BURST, Set.of("error_rate_increase"),
                    Incident.Type.TRUNCATION, Set.of("truncation_increase"),
                    Incident.Type.CONTENT_FILTER, Set.of("content_filter_increase"),
                    Incident.Type.RATE_LIMITED, Set.of("rate_limited"),
                    Incident.Type.TOOL_FAILURES, Set.of("tool_error_rate_increase"),
                    Incident.Type.CACHE_MISS, Set.of("cache_hit_drop"));

    /** Anomalies this long after an incident's end still belong to it. */
    public static final long GRACE_MS = 30_000;

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path record = Path.of(required(a, "record"));
        String brokers = a.getOrDefault("bootstrap-servers", "localhost:9092");
        String topic = a.getOrDefault("topic", "sentinel.anomalies");
        SentinelConfig config =
                SentinelConfig.load(
                        a.containsKey("config") ? Path.of(a.get("config")) : null,
                        Map.of(),
                        System::getenv);
        Set<String> watched = new HashSet<>();
        DetectionOptions.settings(config).metrics().keySet().forEach(m -> watched.add(m.code()));

        Injected injected = Injected.read(record);
        if (injected.summary() == null) {
            throw new IllegalStateException(
                    record + " has no summary line: did the generator finish?");
        }
        List<JsonNode> incidents = injected.incidents();
        JsonNode summary = injected.summary();
        long start = summary.get("start_ms").asLong();
        long end = summary.get("end_ms").asLong();
        long windowMs = Long.parseLong(a.getOrDefault("window-ms", "60000"));
        // The topic holds anomalies and, since the alert policy, alert changes: read both (alert
        // resolutions come up to a recovery window after the run, so read a little further).
        List<JsonNode> records =
                readAnomalies(brokers, topic, start, end + GRACE_MS + 10 * windowMs);
        report(incidents, start, end, windowMs, records, watched, System.out);
    }

    /** {@link #report} with the metrics the default configuration watches. */
    public static void report(
            List<JsonNode> incidents,
            long start,
            long end,
            long windowMs,
            List<JsonNode> records,
            PrintStream out) {
        Set<String> watched = new HashSet<>();
        DetectionOptions.settings(SentinelConfig.load(null, Map.of(), System::getenv))
                .metrics()
                .keySet()
                .forEach(m -> watched.add(m.code()));
        report(incidents, start, end, windowMs, records, watched, out);
    }

    /**
     * Prints the report of a run: {@code incidents} as the generator recorded them, injected into
     * [start, end], against {@code records} of the anomaly topic (anomalies and alert changes); an
     * LLM-specific incident is scored only when its metric is {@code watched}.
     */
    public static void report(
            List<JsonNode> incidents,
            long start,
            long end,
            long windowMs,
            List<JsonNode> records,
            Set<String> watched,
            PrintStream out) {
        List<JsonNode> anomalies = new ArrayList<>();
        List<AlertSummary.Change> alerts = new ArrayList<>();
        List<AlertSummary.Change> anomalyTimes = new ArrayList<>();
        for (JsonNode r : records) {
            String type = r.path("record_type").asText("anomaly");
            if ("alert".equals(type)) {
                alerts.add(AlertSummary.Change.of(r));
            } else if (!"anomaly".equals(type)) {
                continue; // audit events of the control topic share the anomaly topic
            } else if (Instant.parse(r.get("event_time").asText()).toEpochMilli()
                    <= end + GRACE_MS) {
                anomalies.add(r);
                long t = Instant.parse(r.get("event_time").asText()).toEpochMilli();
                anomalyTimes.add(
                        new AlertSummary.Change(
                                "anomaly",
                                r.get("anomaly_id").asText(),
                                t,
                                t,
                                r.get("service").asText(),
                                r.path("model").asText(null),
                                r.get("metric").asText(),
                                r.get("anomaly_type").asText(),
                                r.get("severity").asText(),
                                0));
            }
        }
        print(incidents, anomalies, start, end, out);
        List<IncidentWindow> spans = new ArrayList<>();
        for (JsonNode i : incidents) {
            spans.add(
                    IncidentWindow.of(
                            new Incident(
                                    Incident.Type.fromCode(i.get("type").asText()),
                                    i.get("service").asText(),
                                    i.path("model").asText(null),
                                    i.get("start_ms").asLong(),
                                    i.get("end_ms").asLong())));
        }
        // The keys are those the anomalies and alerts name (service and model): a key that never
        // looked anomalous is not counted, so the rate per key errs high.
        Set<String> keys = new HashSet<>();
        for (AlertSummary.Change c : anomalyTimes) {
            keys.add(c.service() + "|" + c.model());
        }
        for (AlertSummary.Change c : alerts) {
            keys.add(c.service() + "|" + c.model());
        }
        AlertSummary.of(
                        alerts,
                        spans,
                        watched,
                        anomalyTimes,
                        start,
                        end,
                        windowMs,
                        keys.size(),
                        null)
                .print(out);
    }

    /**
     * The generator's record file: the incidents it injected, and its summary line (the span of
     * event time it generated; null while the generator still runs).
     */
    public record Injected(List<JsonNode> incidents, JsonNode summary) {
        public static Injected read(Path record) throws IOException {
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> incidents = new ArrayList<>();
            JsonNode summary = null;
            for (String line : Files.readAllLines(record)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = json.readTree(line);
                if (n.path("summary").asBoolean(false)) {
                    summary = n;
                } else {
                    incidents.add(n);
                }
            }
            return new Injected(incidents, summary);
        }
    }

    /** The outcome of one incident: detected (by an anomaly of an expected type) and when. */
    public record Outcome(
            Incident.Type type, String service, boolean detected, double delaySeconds) {}

    /** Prints the report and returns each incident's outcome, in the order given. */
    public static List<Outcome> print(
            List<JsonNode> incidents,
            List<JsonNode> anomalies,
            long start,
            long end,
            PrintStream out) {
        boolean[] explained = new boolean[anomalies.size()];
        out.println("== Injected incidents vs anomalies found ==");
        int detected = 0;
        List<Outcome> outcomes = new ArrayList<>();
        for (JsonNode inc : incidents) {
            Incident.Type type = Incident.Type.fromCode(inc.get("type").asText());
            String service = inc.get("service").asText();
            long from = inc.get("start_ms").asLong();
            long to = inc.get("end_ms").asLong();
            Map<String, Integer> types = new TreeMap<>();
            long firstExpected = Long.MAX_VALUE;
            for (int i = 0; i < anomalies.size(); i++) {
                JsonNode an = anomalies.get(i);
                long t = Instant.parse(an.get("event_time").asText()).toEpochMilli();
                if (service.equals(an.get("service").asText()) && t >= from && t <= to + GRACE_MS) {
                    explained[i] = true;
                    String at = an.get("anomaly_type").asText();
                    types.merge(at, 1, Integer::sum);
                    if (EXPECTED.get(type).contains(at)) {
                        firstExpected = Math.min(firstExpected, t);
                    }
                }
            }
            boolean found = firstExpected != Long.MAX_VALUE;
            if (found) {
                detected++;
            }
            outcomes.add(
                    new Outcome(
                            type,
                            service,
                            found,
                            found ? (firstExpected - from) / 1000.0 : Double.NaN));
            out.printf(
                    Locale.ROOT,
                    "%-16s %-18s %-9s %s  anomalies in window: %s%n",
                    type.code(),
                    service,
                    found ? "DETECTED" : "MISSED",
                    found
                            ? String.format(
                                    Locale.ROOT, "after %5.1f s", (firstExpected - from) / 1000.0)
                            : "             ",
                    types.isEmpty() ? "none" : types);
        }
        Map<String, Integer> falseAlarms = new TreeMap<>();
        int falseCount = 0;
        for (int i = 0; i < anomalies.size(); i++) {
            if (!explained[i]) {
                falseCount++;
                JsonNode an = anomalies.get(i);
                falseAlarms.merge(
                        an.get("service").asText() + "/" + an.get("metric").asText(),
                        1,
                        Integer::sum);
            }
        }
        double hours = Math.max(1e-9, (end - start) / 3_600_000.0);
        out.printf(
                Locale.ROOT,
                "incidents detected: %d of %d; anomalies: %d in total, %d outside incidents"
                        + " (%.1f per hour of event time)%n",
                detected,
                incidents.size(),
                anomalies.size(),
                falseCount,
                falseCount / hours);
        if (!falseAlarms.isEmpty()) {
            out.println("outside incidents, by service/metric: " + falseAlarms);
        }
        return outcomes;
    }

    /** The records of {@code topic} (read committed) whose Kafka timestamps are in [from, to]. */
    public static List<JsonNode> readAnomalies(String brokers, String topic, long fromMs, long toMs)
            throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts =
                    c.partitionsFor(topic).stream()
                            .map(pi -> new TopicPartition(topic, pi.partition()))
                            .toList();
            c.assign(parts);
            Map<TopicPartition, Long> query = new HashMap<>();
            parts.forEach(tp -> query.put(tp, fromMs));
            Map<TopicPartition, OffsetAndTimestamp> offsets = c.offsetsForTimes(query);
            Map<TopicPartition, Long> endOffsets = c.endOffsets(parts);
            for (TopicPartition tp : parts) {
                OffsetAndTimestamp o = offsets.get(tp);
                c.seek(tp, o == null ? endOffsets.get(tp) : o.offset());
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                boolean done = true;
                for (TopicPartition tp : parts) {
                    if (c.position(tp) < endOffsets.get(tp)) {
                        done = false;
                    }
                }
                if (done) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(java.time.Duration.ofMillis(500))) {
                    if (r.timestamp() >= fromMs && r.timestamp() <= toMs) {
                        out.add(json.readTree(r.value()));
                    }
                }
            }
        }
        return out;
    }

    private static String required(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }
}

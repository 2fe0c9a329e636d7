package io.llmsentinel.devtools.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.config.AlertOptions;
import io.llmsentinel.functions.config.DetectionOptions;
import io.llmsentinel.functions.config.KeyOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.read.KeyBudget;
import io.llmsentinel.functions.read.ModelNaming;
import io.llmsentinel.functions.read.OtlpTraceReader;
import io.llmsentinel.functions.read.ReadResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Corpus mode of the backtest: telemetry that real instrumentation libraries made ({@code
 * devtools/corpus}: per variant {@code spans.jsonl}, one OTLP/JSON ExportTraceServiceRequest per
 * line, {@code incidents.json} and {@code calls.json}), through the job's own functions, scored
 * against the incidents the fake server applied.
 *
 * <p>Each line goes through the job's trace reader with the configuration's settings and its key
 * budget; the requests are then replayed ({@link Replay}) in event-time order, the watermark
 * following the newest event time less {@code event-time.max-out-of-orderness} as the job's would,
 * each request judged at its own event time and each window when the watermark passes it. The
 * incidents are per key (service and model): an alert of another key during one is outside it. The
 * rates are over the run's span ({@code calls.json} {@code start_ms}..{@code end_ms}).
 *
 * <pre>
 *   --corpus DIR   a folder of variant folders (otel/, openllmetry/, ...), or one variant folder
 * </pre>
 *
 * Prints, per variant, what was read and the alert summary; its last line is {@code telemetry
 * incidents_alerted=A/B ... keys=K requests=N tool_executions=T skipped=... dead_lettered=D
 * late_for_windows=L}.
 */
final class CorpusBacktest {
    private CorpusBacktest() {}

    static final String SPANS = "spans.jsonl";

    /** Every variant under {@code dir}, in name order, and its summary. */
    static Map<String, AlertSummary> run(SentinelConfig config, Path dir, PrintStream out)
            throws IOException {
        Map<String, AlertSummary> summaries = new TreeMap<>();
        List<Path> variants = variants(dir);
        if (variants.isEmpty()) {
            throw new IllegalArgumentException(
                    dir
                            + " holds no "
                            + SPANS
                            + ", nor folders that do: give a corpus folder (scripts/corpus.sh"
                            + " --out) or one variant of it");
        }
        for (Path v : variants) {
            out.println("== corpus " + v.getFileName() + " (" + v + ") ==");
            summaries.put(v.getFileName().toString(), variant(config, v, out));
        }
        return summaries;
    }

    /** {@code dir} itself when it holds spans, else its folders that do, by name. */
    static List<Path> variants(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(SPANS))) {
            return List.of(dir);
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(p -> Files.isRegularFile(p.resolve(SPANS))).sorted().toList();
        }
    }

    /** One variant: read, replay, score; prints its summary and returns it. */
    static AlertSummary variant(SentinelConfig config, Path dir, PrintStream out)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode calls =
                Files.isRegularFile(dir.resolve("calls.json"))
                        ? json.readTree(dir.resolve("calls.json").toFile())
                        : json.createObjectNode();
        long recordedEnd = calls.path("end_ms").asLong(0);
        long wallStart = System.nanoTime();

        // The job's clock: the corpus was recorded with real clocks, so at its own end (or now,
        // if later) none of its spans is in the future.
        OtlpTraceReader reader =
                Replay.traceReader(config, () -> Math.max(System.currentTimeMillis(), recordedEnd));
        KeyBudget budget =
                new KeyBudget(
                        config.get(KeyOptions.MAX_PER_SUBTASK),
                        config.get(KeyOptions.MAX_PER_SERVICE),
                        config.get(DetectionOptions.STATE_TTL).toMillis());
        ReadCounts counts = new ReadCounts();
        List<LlmRequest> requests = new ArrayList<>();
        try (BufferedReader lines =
                Files.newBufferedReader(dir.resolve(SPANS), StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                ReadResult r = reader.read(line.getBytes(StandardCharsets.UTF_8));
                counts.add(r);
                for (LlmRequest q : r.requests()) {
                    budget.admit(q, recordedEnd);
                    requests.add(q);
                }
            }
        }
        // Event-time order (a stable sort: ties keep the order they were exported in).
        requests.sort(Comparator.comparingLong(q -> q.eventTimeMs));

        Replay replay = new Replay(config);
        for (LlmRequest q : requests) {
            replay.offer(q, q.eventTimeMs);
            replay.advance(q.eventTimeMs - replay.latenessMs(), q.eventTimeMs);
        }
        long first = requests.isEmpty() ? 0 : requests.get(0).eventTimeMs;
        long last = requests.isEmpty() ? 0 : requests.get(requests.size() - 1).eventTimeMs;
        replay.finish(last);
        counts.replayed(replay);

        long start = calls.path("start_ms").asLong(first);
        long end = calls.path("end_ms").asLong(last);
        List<IncidentWindow> incidents = incidents(dir, KeyOptions.modelNaming(config), json);
        List<Anomaly> anomalies = replay.anomalies();
        List<AlertSummary.Change> alerts = new ArrayList<>();
        for (AlertEvent e : replay.alerts()) {
            alerts.add(AlertSummary.Change.of(e));
        }
        List<AlertSummary.Change> anomalyTimes = new ArrayList<>();
        for (Anomaly a : anomalies) {
            anomalyTimes.add(AlertSummary.Change.of(a));
        }
        long warmingUp = anomalies.stream().filter(a -> a.warmingUp).count();
        out.printf(
                Locale.ROOT,
                "backtest (corpus %s): %d lines, %d requests (%d tool executions) over %.0f s of"
                        + " event time, %d keys, %d anomalies (%d while warming up), %d alert"
                        + " changes; %.1f s%n",
                dir.getFileName(),
                counts.messages(),
                requests.size(),
                replay.toolExecutions(),
                (end - start) / 1000.0,
                replay.keysSeen(),
                anomalies.size(),
                warmingUp,
                alerts.size(),
                (System.nanoTime() - wallStart) / 1e9);
        Map<String, Integer> byKey = new TreeMap<>();
        for (LlmRequest q : requests) {
            byKey.merge(q.service + "/" + q.model + " " + q.operation, 1, Integer::sum);
        }
        out.println("requests by key: " + byKey);
        Map<String, Integer> anomaliesOutside = new TreeMap<>();
        for (Anomaly a : anomalies) {
            if (a.eventTimeMs <= end
                    && incidents.stream()
                            .noneMatch(i -> i.covers(a.service, a.model, a.eventTimeMs))) {
                anomaliesOutside.merge(a.metric + "/" + a.severity, 1, Integer::sum);
            }
        }
        out.println("anomalies outside incidents, by metric/severity: " + anomaliesOutside);
        for (IncidentWindow i : incidents) {
            Map<String, Integer> in = new TreeMap<>();
            for (Anomaly a : anomalies) {
                if (i.covers(a.service, a.model, a.eventTimeMs)) {
                    in.merge(a.metric + "/" + a.severity, 1, Integer::sum);
                }
            }
            out.printf(
                    Locale.ROOT,
                    "anomalies in %s (%s, %s, %.0f-%.0f s): %s%n",
                    i.name(),
                    i.keyLabel(),
                    i.kind(),
                    (i.startMs() - start) / 1000.0,
                    (i.endMs() - start) / 1000.0,
                    in.isEmpty() ? "none" : in);
        }
        AlertSummary summary =
                AlertSummary.of(
                                alerts,
                                incidents,
                                replay.watchedMetrics(),
                                anomalyTimes,
                                start,
                                end,
                                replay.windowMs(),
                                replay.keysSeen(),
                                counts)
                        .withIncidents(
                                AlertReplay.incidents(
                                        AlertOptions.grouping(config), replay.alerts()),
                                incidents);
        summary.print(out);
        return summary;
    }

    /** {@code incidents.json}: an array, or {@code {"incidents": [...]}}; none if absent. */
    static List<IncidentWindow> incidents(Path dir, ModelNaming naming, ObjectMapper json)
            throws IOException {
        Path file = dir.resolve("incidents.json");
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        JsonNode root = json.readTree(file.toFile());
        JsonNode list = root.isArray() ? root : root.path("incidents");
        List<IncidentWindow> out = new ArrayList<>();
        for (JsonNode n : list) {
            out.add(IncidentWindow.ofCorpus(n, naming));
        }
        return out;
    }
}

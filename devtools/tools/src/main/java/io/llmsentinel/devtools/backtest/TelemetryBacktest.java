package io.llmsentinel.devtools.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.devtools.generator.GeneratorMain;
import io.llmsentinel.devtools.generator.HeavyTail;
import io.llmsentinel.devtools.generator.Incident;
import io.llmsentinel.devtools.generator.IncidentReport;
import io.llmsentinel.devtools.generator.TelemetryGenerator;
import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.anomaly.AnomalyJson;
import io.llmsentinel.functions.config.AlertOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.read.OtlpTraceReader;
import io.llmsentinel.functions.read.ReadResult;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Telemetry mode of the backtest: the generator's telemetry, in simulated event time, through the
 * job's reader, detectors (per request and per window, as the job wires them) and alert policy,
 * scored against the generator's record of injected incidents: detected or missed per incident
 * type, detection delay, anomalies outside incidents per hour; then the alerts: incidents alerted,
 * alerts outside incidents per hour, delay to the first alert, resolutions. The last line: {@code
 * telemetry incidents_alerted=A/B alerts_outside_per_hour=X anomalies_outside_per_hour=Y
 * median_delay_s=D resolved=R/O}.
 *
 * <pre>
 *   --duration SECONDS (3600)  --rate MESSAGES_PER_SECOND (20)  --seed N (42)
 *   --no-heavy-tail  (the generator's 1 call in 1,000 at 20-100x the median, off)
 *   --incident TYPE[:SERVICE]@START+LENGTH,... (default one of each type, 3 min long: the four
 *              classic ones at 20, 40, 60 and 80% of the run, the five LLM-specific ones between)
 * </pre>
 */
final class TelemetryBacktest {
    private TelemetryBacktest() {}

    static List<IncidentReport.Outcome> run(
            SentinelConfig config, Map<String, String> args, PrintStream out) throws IOException {
        long durationMs =
                Math.round(Double.parseDouble(args.getOrDefault("duration", "3600")) * 1000);
        double rate = Double.parseDouble(args.getOrDefault("rate", "20"));
        long seed = Long.parseLong(args.getOrDefault("seed", "42"));
        long start = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
        long s = durationMs / 1000;
        List<String> specs =
                args.containsKey("incident")
                        ? List.of(args.get("incident").split(","))
                        : List.of(
                                "latency_spike@" + s * 2 / 10 + "+180",
                                "token_explosion@" + s * 4 / 10 + "+180",
                                "cost_jump@" + s * 6 / 10 + "+180",
                                "error_burst@" + s * 8 / 10 + "+180",
                                // the LLM-specific kinds between them, each on a service that
                                // has no other incident open then (one incident per service
                                // at a time, so each opens its own notification)
                                "truncation@" + s * 3 / 10 + "+180",
                                "rate_limited@" + s * 3 / 10 + "+180",
                                "cache_miss@" + s * 5 / 10 + "+180",
                                "content_filter@" + s * 7 / 10 + "+180",
                                "tool_failures@" + s * 7 / 10 + "+180");
        List<Incident> incidents = new ArrayList<>();
        for (String spec : specs) {
            incidents.add(GeneratorMain.parseIncident(spec.trim(), start));
        }

        OtlpTraceReader reader = Replay.traceReader(config, System::currentTimeMillis);
        Replay replay = new Replay(config);
        long window = replay.windowMs();
        long lateness = replay.latenessMs();
        long requests = 0;
        long wallStart = System.nanoTime();
        double step = 1000.0 / rate;
        HeavyTail tail = args.containsKey("no-heavy-tail") ? HeavyTail.OFF : HeavyTail.DEFAULT;
        try (TelemetryGenerator gen = new TelemetryGenerator(seed, incidents, 6, tail)) {
            long total = Math.round(durationMs / step);
            for (long n = 0; n < total; n++) {
                long t = start + Math.round(n * step);
                ReadResult r = reader.read(gen.nextMessage(t));
                for (LlmRequest req : r.requests()) {
                    requests++;
                    replay.offer(req, t);
                }
                replay.advance(t - lateness, t);
            }
            replay.finish(start + durationMs);
        }
        List<Anomaly> anomalies = replay.anomalies();
        double seconds = (System.nanoTime() - wallStart) / 1e9;
        out.printf(
                Locale.ROOT,
                "backtest (telemetry): %d requests over %d s of event time, %d anomalies; %.1f s"
                        + " (%.0f requests/s through reader and detectors)%n",
                requests,
                durationMs / 1000,
                anomalies.size(),
                seconds,
                requests / seconds);

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> incidentNodes = new ArrayList<>();
        for (Incident i : incidents) {
            incidentNodes.add(json.readTree(i.toJson()));
        }
        List<JsonNode> anomalyNodes = new ArrayList<>();
        for (Anomaly a : anomalies) {
            anomalyNodes.add(json.readTree(AnomalyJson.toBytes(a)));
        }
        List<IncidentReport.Outcome> outcomes =
                IncidentReport.print(incidentNodes, anomalyNodes, start, start + durationMs, out);
        Map<String, Integer> byTypeOutside = new TreeMap<>();
        for (Anomaly a : anomalies) {
            boolean inIncident =
                    incidents.stream()
                            .anyMatch(
                                    i ->
                                            i.service().equals(a.service)
                                                    && a.eventTimeMs >= i.startMs()
                                                    && a.eventTimeMs
                                                            <= i.endMs() + IncidentReport.GRACE_MS);
            if (!inIncident) {
                byTypeOutside.merge(a.metric + "/" + a.detectors[0].detector, 1, Integer::sum);
            }
        }
        out.println("outside incidents, by metric/first detector: " + byTypeOutside);

        List<AlertSummary.Change> alerts = new ArrayList<>();
        for (AlertEvent e : replay.alerts()) {
            alerts.add(AlertSummary.Change.of(e));
        }
        List<AlertSummary.Change> anomalyTimes = new ArrayList<>();
        for (Anomaly a : anomalies) {
            anomalyTimes.add(AlertSummary.Change.of(a));
        }
        AlertSummary.of(
                        alerts,
                        incidents.stream().map(IncidentWindow::of).toList(),
                        replay.watchedMetrics(),
                        anomalyTimes,
                        start,
                        start + durationMs,
                        window,
                        replay.keysSeen(),
                        null)
                .withIncidents(
                        AlertReplay.incidents(AlertOptions.grouping(config), replay.alerts()),
                        incidents.stream().map(IncidentWindow::of).toList())
                .print(out);
        return outcomes;
    }
}

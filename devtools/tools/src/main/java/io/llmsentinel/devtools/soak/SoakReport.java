package io.llmsentinel.devtools.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.devtools.demo.DeliveryLog;
import io.llmsentinel.devtools.generator.IncidentReport;
import io.llmsentinel.functions.config.AlertOptions;
import io.llmsentinel.functions.config.DeadLetterOptions;
import io.llmsentinel.functions.config.EventTimeOptions;
import io.llmsentinel.functions.config.InfluxDbOptions;
import io.llmsentinel.functions.config.KafkaSinkOptions;
import io.llmsentinel.functions.config.RabbitMqOptions;
import io.llmsentinel.functions.config.RedisOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.detect.Severity;
import io.llmsentinel.sinks.webhook.WebhookEndpoint;
import io.llmsentinel.sinks.webhook.WebhookEndpoints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The report of a soak (scripts/chaos.sh --soak): reads the run folder the script and {@link
 * SoakWatch} filled, the anomaly and dead-letter topics, and prints restarts and checkpoints, every
 * output against the job's own record ({@link JobRecord}), what was still open at the end, the
 * footprint at the start and the end ({@link Flatness}), one line per fault ({@link FaultImpact})
 * and the injected incidents ({@link IncidentReport}); then a verdict. Exits 1 when something is
 * missing, stuck, restarted outside the TaskManager's kill, or grew.
 *
 * <pre>
 *   SoakReport --dir DIR --live-start-ms MS --traffic-end-ms MS [--out FILE]
 *       [--bootstrap-servers 127.0.0.1:9092] [--flat-within 0.25]
 * </pre>
 *
 * DIR holds: job.args (the job's arguments, one per line, as submitted), faults.jsonl,
 * samples.jsonl and marks.jsonl, store-arrivals.jsonl, webhook-deliveries.jsonl,
 * rabbitmq-deliveries.jsonl, console/ (the TaskManagers' stdout, a killed one's kept),
 * incidents.jsonl (the generator's record), exceptions.json (the job's exception history).
 */
public final class SoakReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SoakReport() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path dir = Path.of(required(o, "dir"));
        String brokers = o.getOrDefault("bootstrap-servers", "127.0.0.1:9092");
        SentinelConfig config = jobConfig(dir.resolve("job.args"));
        List<JsonNode> topic =
                IncidentReport.readAnomalies(
                        brokers, config.get(KafkaSinkOptions.TOPIC), 0, Long.MAX_VALUE);
        List<JsonNode> deadLetters =
                IncidentReport.readAnomalies(
                        brokers, config.get(DeadLetterOptions.TOPIC), 0, Long.MAX_VALUE);
        Run run =
                new Run(
                        dir,
                        config,
                        topic,
                        deadLetters,
                        Long.parseLong(required(o, "live-start-ms")),
                        Long.parseLong(required(o, "traffic-end-ms")),
                        Double.parseDouble(o.getOrDefault("flat-within", "0.25")));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        boolean passed;
        try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            passed = run.print(out);
        }
        String report = text.toString(StandardCharsets.UTF_8);
        System.out.print(report);
        if (o.containsKey("out")) {
            Files.writeString(Path.of(o.get("out")), report);
        }
        System.exit(passed ? 0 : 1);
    }

    /** The configuration the job ran with: its arguments, one per line (--config FILE, --K V). */
    static SentinelConfig jobConfig(Path argsFile) throws IOException {
        List<String> a = Files.readAllLines(argsFile);
        Path file = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i + 1 < a.size(); i += 2) {
            String name = a.get(i).replaceFirst("^--", "");
            if (name.equals("config")) {
                file = Path.of(a.get(i + 1));
            } else {
                overrides.put(name, a.get(i + 1));
            }
        }
        return SentinelConfig.load(file, overrides, System::getenv);
    }

    /** One soak's inputs, and the report made of them. */
    static final class Run {
        final Path dir;
        final SentinelConfig config;
        final List<JsonNode> topic;
        final List<JsonNode> deadLetters;
        final long liveStartMs;
        final long trafficEndMs;
        final double flatWithin;

        Run(
                Path dir,
                SentinelConfig config,
                List<JsonNode> topic,
                List<JsonNode> deadLetters,
                long liveStartMs,
                long trafficEndMs,
                double flatWithin) {
            this.dir = dir;
            this.config = config;
            this.topic = topic;
            this.deadLetters = deadLetters;
            this.liveStartMs = liveStartMs;
            this.trafficEndMs = trafficEndMs;
            this.flatWithin = flatWithin;
        }

        /** Prints the report; true when the soak passed. */
        boolean print(PrintStream out) throws IOException {
            List<String> problems = new ArrayList<>();
            JobRecord record = JobRecord.of(topic, consoleLines());
            List<FaultWindow> faults = FaultWindow.read(dir.resolve("faults.jsonl"));
            List<ClusterSample> samples = samples(dir.resolve(SoakWatch.SAMPLES));
            List<ClusterSample> marks = samples(dir.resolve(SoakWatch.MARKS));
            List<DeliveryAccount> accounts = accounts(record);

            out.printf(
                    Locale.ROOT,
                    "== Soak: %.0f s of live traffic from %s, %d fault(s) ==%n",
                    (trafficEndMs - liveStartMs) / 1000.0,
                    Instant.ofEpochMilli(liveStartMs),
                    faults.size());
            ClusterSample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
            long restarts = last == null ? -1 : last.restarts();
            long restartsInKill = 0;
            for (int i = 0; i < faults.size(); i++) {
                if (faults.get(i).name().equals(FaultWindow.TASK_MANAGER)) {
                    long until =
                            i + 1 < faults.size() ? faults.get(i + 1).startMs() : Long.MAX_VALUE;
                    restartsInKill +=
                            FaultImpact.counterAt(samples, until, true)
                                    - FaultImpact.counterAt(samples, faults.get(i).startMs(), true);
                }
            }
            out.printf(
                    Locale.ROOT,
                    "job: %s at the end; restarts %d (%d after the TaskManager's kill, %d at other"
                            + " times); checkpoints %d completed, %d failed%n",
                    last == null ? "NO SAMPLES" : last.jobState(),
                    restarts,
                    restartsInKill,
                    restarts - restartsInKill,
                    last == null ? 0 : last.checkpointsCompleted(),
                    last == null ? 0 : last.checkpointsFailed());
            if (last == null || !last.jobState().equals("RUNNING")) {
                problems.add("the job is not RUNNING at the end");
            }
            if (restarts - restartsInKill > 0) {
                problems.add(
                        (restarts - restartsInKill) + " restart(s) outside the TaskManager's kill");
            }
            for (String cause : restartCauses()) {
                out.println("  " + cause);
            }

            out.printf(
                    Locale.ROOT,
                    "%n== Outputs against the job's record (alerts.deliver %s; incidents from the %s) ==%n",
                    config.get(AlertOptions.DELIVER).name().toLowerCase(Locale.ROOT),
                    record.incidentSource.name().toLowerCase(Locale.ROOT));
            out.printf(
                    Locale.ROOT,
                    "exactly-once topic (the reference): %d anomalies, %d alert changes, %d incident"
                            + " changes%s; records on it twice: %d%n",
                    record.anomalies.size(),
                    record.alerts.size(),
                    record.incidents.size(),
                    record.incidentSource == JobRecord.IncidentSource.CONSOLE
                            ? " (the console's, which the topic does not carry)"
                            : "",
                    record.topicDuplicates);
            if (record.topicDuplicates > 0) {
                problems.add(record.topicDuplicates + " record(s) twice on the exactly-once topic");
            }
            String fmt = "%-20s %9s %9s %8s %10s %11s %6s %11s%n";
            out.printf(
                    Locale.ROOT,
                    fmt,
                    "output",
                    "expected",
                    "delivered",
                    "missing",
                    "duplicates",
                    "redelivered",
                    "extra",
                    "max_delay_s");
            for (DeliveryAccount a : accounts) {
                long max = a.maxDelayMs();
                out.printf(
                        Locale.ROOT,
                        fmt,
                        a.output,
                        a.expectedCount(),
                        a.deliveredCount(),
                        a.missing().size(),
                        a.duplicates(),
                        a.redelivered(),
                        a.extra().size(),
                        max < 0 ? "-" : String.format(Locale.ROOT, "%.1f", max / 1000.0));
                if (!a.missing().isEmpty()) {
                    problems.add(a.missing().size() + " missing at " + a.output);
                    out.println("  missing: " + first(a.missing(), 10));
                }
                if (a.duplicates() > 0) {
                    problems.add(a.duplicates() + " duplicate(s) at " + a.output);
                }
                if (!a.extra().isEmpty()) {
                    out.println("  extra (not in the job's record): " + first(a.extra(), 10));
                }
                if (a.rejected() > 0) {
                    problems.add(a.rejected() + " delivery(ies) rejected at " + a.output);
                }
            }

            OpenAtEnd open =
                    OpenAtEnd.of(
                            record,
                            trafficEndMs,
                            config.get(AlertOptions.RECOVERY_WINDOW).toMillis(),
                            config.get(AlertOptions.WINDOW_RECOVERY_WINDOW).toMillis(),
                            config.get(EventTimeOptions.MAX_OUT_OF_ORDERNESS).toMillis());
            out.printf(
                    Locale.ROOT,
                    "%n== Resolved ==%nalerts: %d opened, %d resolved, %d still open at the end;"
                            + " incidents: %d opened, %d resolved, %d still open%n",
                    open.alertsOpened,
                    open.alertsOpened - open.alerts.size(),
                    open.alerts.size(),
                    open.incidentsOpened,
                    open.incidentsOpened - open.incidents.size(),
                    open.incidents.size());
            for (OpenAtEnd.OpenAlert a : open.alerts) {
                out.printf(
                        Locale.ROOT,
                        "  alert %s %s/%s opened at +%.0f s, last evidence at +%.0f s: %s%n",
                        a.opening().alertId(),
                        a.opening().service(),
                        a.opening().metric(),
                        (a.opening().eventTimeMs() - liveStartMs) / 1000.0,
                        (a.lastEvidenceMs() - liveStartMs) / 1000.0,
                        a.couldHaveResolved()
                                ? "NOT RESOLVED though its recovery window ended before the traffic"
                                : "still going when the traffic ended");
            }
            for (OpenAtEnd.OpenIncident i : open.incidents) {
                out.printf(
                        Locale.ROOT,
                        "  incident %s (%s) opened at +%.0f s: %s%n",
                        i.opening().incidentId(),
                        i.opening().service(),
                        (i.opening().eventTimeMs() - liveStartMs) / 1000.0,
                        i.couldHaveResolved()
                                ? "NOT RESOLVED though its alerts could have"
                                : "an alert of it was still going when the traffic ended");
            }
            if (open.stuck() > 0) {
                problems.add(
                        open.stuck() + " alert(s)/incident(s) not resolved that could have been");
            }

            out.printf(Locale.ROOT, "%n== Footprint ==%n");
            ClusterSample startMark = mark(marks, "start");
            ClusterSample endMark = mark(marks, "end");
            if (startMark == null || endMark == null) {
                out.println("no start or end mark: footprint not measured");
                problems.add("footprint not measured");
            } else {
                out.printf(
                        Locale.ROOT,
                        "start mark at +%.0f s, end mark at +%.0f s%n",
                        (startMark.atMs() - liveStartMs) / 1000.0,
                        (endMark.atMs() - liveStartMs) / 1000.0);
                Flatness f = new Flatness(startMark, endMark, flatWithin);
                f.lines().forEach(out::println);
                if (!f.flat()) {
                    problems.add(
                            "heap or checkpoint size grew by more than " + flatWithin * 100 + "%");
                }
            }

            out.printf(Locale.ROOT, "%n== Faults (times from the start of live traffic) ==%n");
            List<DeliveryAccount> timed =
                    accounts.stream().filter(a -> a.decidedBetween(0, Long.MAX_VALUE) > 0).toList();
            for (int i = 0; i < faults.size(); i++) {
                long until = i + 1 < faults.size() ? faults.get(i + 1).startMs() : trafficEndMs;
                FaultImpact impact = FaultImpact.of(faults.get(i), until, record, timed, samples);
                out.println(impact.line(liveStartMs));
                if (!impact.quietChanges.isEmpty()) {
                    problems.add(
                            "alert changes decided while the input was paused: "
                                    + impact.quietChanges);
                }
                if (faults.get(i).name().equals(FaultWindow.INPUT) && impact.pickedUpAfterS < 0) {
                    problems.add("no anomaly after the input's pause");
                }
            }

            out.printf(Locale.ROOT, "%n== Dead letters ==%n");
            Map<String, Integer> reasons = new TreeMap<>();
            for (JsonNode d : deadLetters) {
                reasons.merge(
                        d.path("reason").asText("?")
                                + " ("
                                + d.path("source_topic").asText("?")
                                + ")",
                        1,
                        Integer::sum);
            }
            out.println(reasons.isEmpty() ? "none" : reasons.toString());

            Path incidents = dir.resolve("incidents.jsonl");
            if (Files.exists(incidents)) {
                out.println();
                injected(incidents, out);
            }

            out.printf(Locale.ROOT, "%n== Verdict ==%n");
            out.println(problems.isEmpty() ? "PASSED" : "FAILED: " + String.join("; ", problems));
            return problems.isEmpty();
        }

        /** One account per output and kind of change the job was configured to deliver. */
        List<DeliveryAccount> accounts(JobRecord record) throws IOException {
            List<DeliveryAccount> out = new ArrayList<>();
            if (config.get(RabbitMqOptions.ENABLED)) {
                notifications(
                        "rabbitmq",
                        "rabbitmq-deliveries.jsonl",
                        config.get(RabbitMqOptions.MIN_SEVERITY),
                        record,
                        out);
            }
            List<WebhookEndpoint> hooks = WebhookEndpoints.from(config);
            if (!hooks.isEmpty()) {
                notifications(
                        "webhook",
                        "webhook-deliveries.jsonl",
                        hooks.get(0).minSeverity(),
                        record,
                        out);
            }
            List<DeliveryLog.Entry> stores =
                    DeliveryLog.read(dir.resolve(SoakWatch.STORE_ARRIVALS));
            if (config.get(InfluxDbOptions.ENABLED)) {
                if (!config.get(InfluxDbOptions.ALERTS_MEASUREMENT).isBlank()) {
                    out.add(
                            DeliveryAccount.of(
                                    "influxdb alerts",
                                    record.alerts.stream()
                                            .map(
                                                    c ->
                                                            new DeliveryAccount.Expected(
                                                                    c.storeId(), c.detectedAtMs()))
                                            .toList(),
                                    stores,
                                    StoreProbe.INFLUX_ALERTS::equals));
                }
                out.add(
                        DeliveryAccount.of(
                                "influxdb anomalies",
                                record.anomalies.stream()
                                        .map(
                                                a ->
                                                        new DeliveryAccount.Expected(
                                                                a.id(), a.detectedAtMs()))
                                        .toList(),
                                stores,
                                StoreProbe.INFLUX_ANOMALIES::equals));
            }
            if (config.get(RedisOptions.ENABLED)) {
                // Live traffic only: the history's burst overflows each service's capped list
                // before a poll could see it (the history's event times are before the start).
                out.add(
                        DeliveryAccount.of(
                                "redis anomalies",
                                record.anomalies.stream()
                                        .filter(a -> a.eventTimeMs() >= liveStartMs)
                                        .map(
                                                a ->
                                                        new DeliveryAccount.Expected(
                                                                a.id(), a.detectedAtMs()))
                                        .toList(),
                                stores,
                                StoreProbe.REDIS_ANOMALIES::equals));
            }
            return out;
        }

        /**
         * The accounts of an output that interrupts people: its alert changes and its incident
         * changes, as alerts.deliver says it gets them, at least {@code min} severe.
         */
        private void notifications(
                String output,
                String deliveries,
                Severity min,
                JobRecord record,
                List<DeliveryAccount> out)
                throws IOException {
            List<DeliveryLog.Entry> got = DeliveryLog.read(dir.resolve(deliveries));
            AlertOptions.Deliver deliver = config.get(AlertOptions.DELIVER);
            if (deliver.alerts()) {
                out.add(
                        DeliveryAccount.of(
                                output + " alerts",
                                alerts(record, min),
                                got,
                                t -> t.startsWith("anomaly.")));
            }
            if (deliver.incidents()) {
                out.add(
                        DeliveryAccount.of(
                                output + " incidents",
                                incidents(record, min),
                                got,
                                t -> t.startsWith("incident.")));
            }
        }

        private List<String> consoleLines() throws IOException {
            List<String> lines = new ArrayList<>();
            Path console = dir.resolve("console");
            if (!Files.isDirectory(console)) {
                return lines;
            }
            try (Stream<Path> files = Files.list(console)) {
                for (Path f : files.sorted().toList()) {
                    lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
                }
            }
            return lines;
        }

        /** The job's exception history: when, and the first line of each failure. */
        private List<String> restartCauses() throws IOException {
            List<String> out = new ArrayList<>();
            Path f = dir.resolve("exceptions.json");
            if (!Files.exists(f)) {
                return out;
            }
            for (JsonNode e : JSON.readTree(f.toFile()).path("exceptionHistory").path("entries")) {
                String name = e.path("exceptionName").asText();
                out.add(
                        String.format(
                                Locale.ROOT,
                                "failure at +%.0f s: %s (%s)",
                                (e.path("timestamp").asLong() - liveStartMs) / 1000.0,
                                name.length() > 160 ? name.substring(0, 160) + "..." : name,
                                e.path("taskName").asText("-")));
            }
            return out;
        }

        private void injected(Path incidents, PrintStream out) throws IOException {
            IncidentReport.Injected injected = IncidentReport.Injected.read(incidents);
            JsonNode summary = injected.summary();
            long start = summary == null ? liveStartMs : summary.path("start_ms").asLong();
            long end = summary == null ? trafficEndMs : summary.path("end_ms").asLong();
            IncidentReport.report(injected.incidents(), start, end, 60_000, topic, out);
        }
    }

    private static List<DeliveryAccount.Expected> alerts(JobRecord r, Severity min) {
        return r.alerts.stream()
                .filter(c -> atLeast(c.severity(), min))
                .map(
                        c ->
                                new DeliveryAccount.Expected(
                                        c.messageId(), c.resolution() ? 0 : c.detectedAtMs()))
                .toList();
    }

    private static List<DeliveryAccount.Expected> incidents(JobRecord r, Severity min) {
        return r.incidents.stream()
                .filter(c -> atLeast(c.severity(), min))
                .map(c -> new DeliveryAccount.Expected(c.messageId(), 0))
                .toList();
    }

    /** As the outputs filter (Notification.atLeast): an unreadable severity counts low. */
    private static boolean atLeast(String severity, Severity min) {
        Severity s;
        try {
            s = Severity.parse(severity);
        } catch (RuntimeException e) {
            s = Severity.LOW;
        }
        return s.ordinal() >= min.ordinal();
    }

    private static List<ClusterSample> samples(Path file) throws IOException {
        List<ClusterSample> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                try {
                    out.add(JSON.readValue(line, ClusterSample.class));
                } catch (IOException cutShort) {
                    // the watch was stopped mid-line
                }
            }
        }
        return out;
    }

    private static ClusterSample mark(List<ClusterSample> marks, String name) {
        ClusterSample found = null;
        for (ClusterSample m : marks) {
            if (name.equals(m.mark())) {
                found = m;
            }
        }
        return found;
    }

    private static String first(List<String> ids, int n) {
        return ids.size() <= n
                ? ids.toString()
                : ids.subList(0, n) + " and " + (ids.size() - n) + " more";
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }
}

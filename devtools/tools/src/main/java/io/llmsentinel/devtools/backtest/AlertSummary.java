package io.llmsentinel.devtools.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.Severity;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a run's alerts amount to against its incidents: incidents alerted and how fast, incidents
 * paged (an alert {@code high} or worse) and how fast, alerts outside incidents per hour (and per
 * hour and key), and whether every opened alert resolved. An alert or anomaly is outside when no
 * incident of its key covers it ({@link IncidentWindow#covers}): an alert of another key during an
 * incident is outside. Counted over the run's own span [start, end]: after it the traffic has
 * stopped and the rates drop to zero, which the job rightly reports but which says nothing about
 * ordinary traffic. Delays are in event time, from the incident's start to the alert's event time
 * (a windowed metric's alert is the window's last instant; the job decides it only once the
 * watermark has passed the window, which each incident's line shows). The backtests and the demo's
 * report print the same last line:
 *
 * <pre>
 * telemetry incidents_alerted=A/B alerts_outside_per_hour=X anomalies_outside_per_hour=Y
 *     median_delay_s=D resolved=R/O paged=P/B median_page_delay_s=E
 *     alerts_outside_per_hour_per_key=Z keys=K [the counts read, for a corpus]
 * </pre>
 *
 * Only incidents whose expected metrics are all watched are scored (B); the others, of signals
 * detection does not watch yet, are listed as signal incidents and are not in the line.
 */
public record AlertSummary(
        int incidents,
        int incidentsAlerted,
        double alertsOutsidePerHour,
        double anomaliesOutsidePerHour,
        double medianDelayS,
        int opened,
        int resolved,
        int paged,
        double medianPageDelayS,
        double alertsOutsidePerHourPerKey,
        int keys,
        ReadCounts reads,
        List<String> lines,
        double notificationsPerIncident) {

    /**
     * This summary with the incident openings of the run counted: opening notifications per
     * injected incident that was alerted (an incident notification of its service opened within
     * it). The target: 1.
     */
    public AlertSummary withIncidents(
            List<io.llmsentinel.functions.incident.IncidentEvent> notifications,
            List<IncidentWindow> injected) {
        int alerted = 0;
        int openings = 0;
        for (IncidentWindow w : injected) {
            long n =
                    notifications.stream()
                            .filter(e -> e.state.label().equals("opened"))
                            .filter(e -> w.service() == null || w.service().equals(e.service))
                            .filter(
                                    e ->
                                            e.openedAtMs >= w.startMs()
                                                    && e.openedAtMs
                                                            <= w.endMs()
                                                                    + io.llmsentinel.devtools
                                                                            .generator
                                                                            .IncidentReport
                                                                            .GRACE_MS)
                            .count();
            if (n > 0) {
                alerted++;
                openings += n;
            }
        }
        return new AlertSummary(
                incidents,
                incidentsAlerted,
                alertsOutsidePerHour,
                anomaliesOutsidePerHour,
                medianDelayS,
                opened,
                resolved,
                paged,
                medianPageDelayS,
                alertsOutsidePerHourPerKey,
                keys,
                reads,
                lines,
                alerted == 0 ? Double.NaN : (double) openings / alerted);
    }

    /** Alerts this severe or worse page someone. */
    public static final Severity PAGE = Severity.HIGH;

    /**
     * One change of one alert, from the job's alert events or from their JSON records; also used
     * for anomalies ({@code state} "anomaly"). {@code knownAtMs} is when the job could know it, in
     * the run's clock: the event time, or later for a window judged when the watermark passed it.
     */
    public record Change(
            String state,
            String alertId,
            long eventTimeMs,
            long knownAtMs,
            String service,
            String model,
            String metric,
            String anomalyType,
            String severity,
            long repeats) {

        static Change of(AlertEvent e) {
            long known =
                    e.anomaly == null
                            ? e.eventTimeMs
                            : Math.max(e.eventTimeMs, e.anomaly.detectedAtMs);
            return new Change(
                    e.state.label(),
                    e.alertId,
                    e.eventTimeMs,
                    known,
                    e.service,
                    e.model,
                    e.metric,
                    e.anomalyType,
                    e.severity,
                    e.repeats);
        }

        /** An anomaly, to count it outside incidents or not. */
        static Change of(Anomaly a) {
            return new Change(
                    "anomaly",
                    a.anomalyId,
                    a.eventTimeMs,
                    Math.max(a.eventTimeMs, a.detectedAtMs),
                    a.service,
                    a.model,
                    a.metric,
                    a.anomalyType,
                    a.severity,
                    0);
        }

        /** From an alert record of the anomaly topic ({@code "record_type": "alert"}). */
        public static Change of(JsonNode n) {
            long t = Instant.parse(n.get("event_time").asText()).toEpochMilli();
            return new Change(
                    n.get("state").asText(),
                    n.get("alert_id").asText(),
                    t,
                    t,
                    n.get("service").asText(),
                    n.path("model").asText(null),
                    n.get("metric").asText(),
                    n.get("anomaly_type").asText(),
                    n.get("severity").asText(),
                    n.get("repeats").asLong());
        }

        boolean resolution() {
            return state.equals("resolved");
        }

        boolean pages() {
            return !resolution() && Severity.parse(severity).compareTo(PAGE) >= 0;
        }
    }

    public void print(PrintStream out) {
        out.println("== Alerts (the alert policy over the anomalies) ==");
        lines.forEach(out::println);
        out.println(line());
    }

    /** The last line (see the class comment). */
    public String line() {
        return String.format(
                Locale.ROOT,
                "telemetry incidents_alerted=%d/%d alerts_outside_per_hour=%.1f"
                        + " anomalies_outside_per_hour=%.1f median_delay_s=%.1f resolved=%d/%d"
                        + " paged=%d/%d median_page_delay_s=%.1f"
                        + " alerts_outside_per_hour_per_key=%.2f keys=%d%s%s",
                incidentsAlerted,
                incidents,
                alertsOutsidePerHour,
                anomaliesOutsidePerHour,
                medianDelayS,
                resolved,
                opened,
                paged,
                incidents,
                medianPageDelayS,
                alertsOutsidePerHourPerKey,
                keys,
                Double.isNaN(notificationsPerIncident)
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                " notifications_per_incident=%.2f",
                                notificationsPerIncident),
                reads == null ? "" : " " + reads.fields());
    }

    /**
     * @param watchedMetrics the metrics detection watches: an incident that should move others is
     *     listed, not scored
     * @param anomalyTimes the event time and key of every anomaly, to count those outside incidents
     * @param keys the keys the run had, for the alerts per hour and key
     * @param reads what was read, for a corpus; or null
     */
    public static AlertSummary of(
            List<Change> alerts,
            List<IncidentWindow> incidents,
            Set<String> watchedMetrics,
            List<Change> anomalyTimes,
            long startMs,
            long endMs,
            long windowMs,
            int keys,
            ReadCounts reads) {
        List<String> lines = new ArrayList<>();
        List<String> signalLines = new ArrayList<>();
        List<Double> delays = new ArrayList<>();
        List<Double> pageDelays = new ArrayList<>();
        int scored = 0;
        int alerted = 0;
        for (IncidentWindow i : incidents) {
            Change first = first(alerts, i, false);
            Change page = first(alerts, i, true);
            List<String> unwatched = i.unwatched(watchedMetrics);
            if (!unwatched.isEmpty()) {
                signalLines.add(
                        String.format(
                                Locale.ROOT,
                                "signal incident %-16s %-26s %-14s not scored (detection watches"
                                        + " no %s): %s",
                                i.name(),
                                i.keyLabel(),
                                i.kind(),
                                String.join(", ", unwatched),
                                first == null
                                        ? "no alert of its key"
                                        : describe(first, i) + paging(page, i)));
                continue;
            }
            scored++;
            if (first == null) {
                lines.add(
                        String.format(
                                Locale.ROOT, "%-16s %-18s NOT ALERTED", i.name(), i.keyLabel()));
                continue;
            }
            alerted++;
            delays.add(Math.max(0, first.eventTimeMs() - i.startMs()) / 1000.0);
            if (page != null) {
                pageDelays.add(Math.max(0, page.eventTimeMs() - i.startMs()) / 1000.0);
            }
            String id = first.alertId();
            Change resolution =
                    alerts.stream()
                            .filter(c -> c.resolution() && c.alertId().equals(id))
                            .findFirst()
                            .orElse(null);
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "%-16s %-18s ALERTED %s (%.1f windows): %s %s %s%s%s%s",
                            i.name(),
                            i.keyLabel(),
                            after(first, i),
                            Math.max(0, first.eventTimeMs() - i.startMs()) / (double) windowMs,
                            first.severity(),
                            first.metric(),
                            first.anomalyType(),
                            notItsMetric(first, i),
                            resolution == null
                                    ? ", NOT RESOLVED"
                                    : String.format(
                                            Locale.ROOT,
                                            ", resolved %.0f s after the incident ended (%d"
                                                    + " repeats held back)",
                                            (resolution.eventTimeMs() - i.endMs()) / 1000.0,
                                            resolution.repeats()),
                            paging(page, i)));
        }
        long outsideAlerts = 0;
        for (Change c : alerts) {
            if (!c.resolution()
                    && ordinary(incidents, c.service(), c.model(), c.eventTimeMs(), endMs)) {
                outsideAlerts++;
                lines.add(
                        String.format(
                                Locale.ROOT,
                                "outside incidents: %s %s %s %s/%s at +%.0f s",
                                c.state(),
                                c.severity(),
                                c.anomalyType(),
                                c.model() == null ? c.service() : c.service() + "/" + c.model(),
                                c.metric(),
                                (c.eventTimeMs() - startMs) / 1000.0));
            }
        }
        if (!signalLines.isEmpty()) {
            lines.add(
                    signalLines.size()
                            + " signal incident(s), listed apart until detection watches their"
                            + " metrics:");
            lines.addAll(signalLines);
        }
        long outsideAnomalies =
                anomalyTimes.stream()
                        .filter(
                                x ->
                                        ordinary(
                                                incidents,
                                                x.service(),
                                                x.model(),
                                                x.eventTimeMs(),
                                                endMs))
                        .count();
        int opened = (int) alerts.stream().filter(c -> c.state().equals("opened")).count();
        int resolved = (int) alerts.stream().filter(Change::resolution).count();
        double hours = Math.max(1e-9, (endMs - startMs) / 3_600_000.0);
        return new AlertSummary(
                scored,
                alerted,
                outsideAlerts / hours,
                outsideAnomalies / hours,
                median(delays),
                opened,
                resolved,
                pageDelays.size(),
                median(pageDelays),
                outsideAlerts / hours / Math.max(1, keys),
                keys,
                reads,
                lines,
                Double.NaN);
    }

    /** The first alert (or page) of the incident's key within it; null if none. */
    private static Change first(List<Change> alerts, IncidentWindow i, boolean page) {
        Change first = null;
        for (Change c : alerts) {
            if (!c.resolution()
                    && (!page || c.pages())
                    && i.covers(c.service(), c.model(), c.eventTimeMs())
                    && (first == null || c.eventTimeMs() < first.eventTimeMs())) {
                first = c;
            }
        }
        return first;
    }

    /** "after 12.0 s", and when the job could only know it later, when that was. */
    private static String after(Change c, IncidentWindow i) {
        double delay = Math.max(0, c.eventTimeMs() - i.startMs()) / 1000.0;
        String s = String.format(Locale.ROOT, "after %5.1f s", delay);
        if (c.knownAtMs() - c.eventTimeMs() >= 1000) {
            s +=
                    String.format(
                            Locale.ROOT,
                            " [decided at +%.1f s]",
                            (c.knownAtMs() - i.startMs()) / 1000.0);
        }
        return s;
    }

    private static String describe(Change c, IncidentWindow i) {
        return String.format(
                Locale.ROOT,
                "alerted %s: %s %s %s%s",
                after(c, i),
                c.severity(),
                c.metric(),
                c.anomalyType(),
                notItsMetric(c, i));
    }

    /**
     * A mark when the alert is of none of the metrics the incident should move: it still counts (an
     * alert of the incident's key within it), but the line says it was not the expected one.
     */
    private static String notItsMetric(Change c, IncidentWindow i) {
        return i.expectedMetrics().isEmpty() || i.expectedMetrics().contains(c.metric())
                ? ""
                : " [not an expected metric: " + String.join(", ", i.expectedMetrics()) + "]";
    }

    private static String paging(Change page, IncidentWindow i) {
        if (page == null) {
            return "; NOT PAGED";
        }
        return String.format(
                Locale.ROOT,
                "; paged %s: %s %s %s%s",
                after(page, i),
                page.severity(),
                page.metric(),
                page.anomalyType(),
                notItsMetric(page, i));
    }

    private static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(Double::compare);
        int n = v.size();
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /** Within the run and outside every incident of that key. */
    private static boolean ordinary(
            List<IncidentWindow> incidents, String service, String model, long t, long endMs) {
        return t <= endMs && incidents.stream().noneMatch(i -> i.covers(service, model, t));
    }
}

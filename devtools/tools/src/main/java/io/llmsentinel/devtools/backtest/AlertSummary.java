package io.llmsentinel.devtools.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmsentinel.devtools.generator.Incident;
import io.llmsentinel.devtools.generator.IncidentReport;
import io.llmsentinel.functions.alert.AlertEvent;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a run's alerts amount to against its injected incidents: incidents alerted and how fast,
 * alerts outside incidents per hour, and whether every opened alert resolved. Counted over the
 * run's own span [start, end]: after it the generator has stopped and the rates drop to zero, which
 * the job rightly reports but which says nothing about ordinary traffic. The backtest and the
 * demo's report print the same last line:
 *
 * <pre>
 * telemetry incidents_alerted=A/B alerts_outside_per_hour=X anomalies_outside_per_hour=Y
 *     median_delay_s=D resolved=R/O
 * </pre>
 */
public record AlertSummary(
        int incidents,
        int incidentsAlerted,
        double alertsOutsidePerHour,
        double anomaliesOutsidePerHour,
        double medianDelayS,
        int opened,
        int resolved,
        List<String> lines) {

    /** One change of one alert, from the job's alert events or from their JSON records. */
    public record Change(
            String state,
            String alertId,
            long eventTimeMs,
            String service,
            String metric,
            String anomalyType,
            String severity,
            long repeats) {

        static Change of(AlertEvent e) {
            return new Change(
                    e.state.label(),
                    e.alertId,
                    e.eventTimeMs,
                    e.service,
                    e.metric,
                    e.anomalyType,
                    e.severity,
                    e.repeats);
        }

        /** From an alert record of the anomaly topic ({@code "record_type": "alert"}). */
        public static Change of(JsonNode n) {
            return new Change(
                    n.get("state").asText(),
                    n.get("alert_id").asText(),
                    Instant.parse(n.get("event_time").asText()).toEpochMilli(),
                    n.get("service").asText(),
                    n.get("metric").asText(),
                    n.get("anomaly_type").asText(),
                    n.get("severity").asText(),
                    n.get("repeats").asLong());
        }

        boolean resolution() {
            return state.equals("resolved");
        }
    }

    public void print(PrintStream out) {
        out.println("== Alerts (the alert policy over the anomalies) ==");
        lines.forEach(out::println);
        out.printf(
                Locale.ROOT,
                "telemetry incidents_alerted=%d/%d alerts_outside_per_hour=%.1f"
                        + " anomalies_outside_per_hour=%.1f median_delay_s=%.1f resolved=%d/%d%n",
                incidentsAlerted,
                incidents,
                alertsOutsidePerHour,
                anomaliesOutsidePerHour,
                medianDelayS,
                resolved,
                opened);
    }

    /**
     * @param anomalyTimes the event time and service of every anomaly, to count those outside
     *     incidents
     */
    public static AlertSummary of(
            List<Change> alerts,
            List<Incident> incidents,
            List<Change> anomalyTimes,
            long startMs,
            long endMs,
            long windowMs) {
        List<String> lines = new ArrayList<>();
        List<Double> delays = new ArrayList<>();
        int alerted = 0;
        for (Incident i : incidents) {
            Change first = null;
            for (Change c : alerts) {
                if (!c.resolution()
                        && inIncident(i, c.service(), c.eventTimeMs())
                        && (first == null || c.eventTimeMs() < first.eventTimeMs())) {
                    first = c;
                }
            }
            if (first == null) {
                lines.add(
                        String.format(
                                Locale.ROOT,
                                "%-16s %-18s NOT ALERTED",
                                i.type().code(),
                                i.service()));
                continue;
            }
            alerted++;
            double delay = Math.max(0, first.eventTimeMs() - i.startMs()) / 1000.0;
            delays.add(delay);
            String id = first.alertId();
            Change resolution =
                    alerts.stream()
                            .filter(c -> c.resolution() && c.alertId().equals(id))
                            .findFirst()
                            .orElse(null);
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "%-16s %-18s ALERTED after %5.1f s (%.1f windows): %s %s %s%s",
                            i.type().code(),
                            i.service(),
                            delay,
                            delay * 1000 / windowMs,
                            first.severity(),
                            first.metric(),
                            first.anomalyType(),
                            resolution == null
                                    ? ", NOT RESOLVED"
                                    : String.format(
                                            Locale.ROOT,
                                            ", resolved %.0f s after the incident ended (%d"
                                                    + " repeats held back)",
                                            (resolution.eventTimeMs() - i.endMs()) / 1000.0,
                                            resolution.repeats())));
        }
        long outsideAlerts = 0;
        for (Change c : alerts) {
            if (!c.resolution() && ordinary(incidents, c.service(), c.eventTimeMs(), endMs)) {
                outsideAlerts++;
                lines.add(
                        String.format(
                                Locale.ROOT,
                                "outside incidents: %s %s %s %s/%s at +%.0f s",
                                c.state(),
                                c.severity(),
                                c.anomalyType(),
                                c.service(),
                                c.metric(),
                                (c.eventTimeMs() - startMs) / 1000.0));
            }
        }
        long outsideAnomalies =
                anomalyTimes.stream()
                        .filter(x -> ordinary(incidents, x.service(), x.eventTimeMs(), endMs))
                        .count();
        int opened = (int) alerts.stream().filter(c -> c.state().equals("opened")).count();
        int resolved = (int) alerts.stream().filter(Change::resolution).count();
        double hours = Math.max(1e-9, (endMs - startMs) / 3_600_000.0);
        delays.sort(Double::compare);
        int n = delays.size();
        double median =
                n == 0
                        ? Double.NaN
                        : n % 2 == 1
                                ? delays.get(n / 2)
                                : (delays.get(n / 2 - 1) + delays.get(n / 2)) / 2;
        return new AlertSummary(
                incidents.size(),
                alerted,
                outsideAlerts / hours,
                outsideAnomalies / hours,
                median,
                opened,
                resolved,
                lines);
    }

    /** Within the run and outside every incident of that service. */
    private static boolean ordinary(List<Incident> incidents, String service, long t, long endMs) {
        return t <= endMs && incidents.stream().noneMatch(i -> inIncident(i, service, t));
    }

    private static boolean inIncident(Incident i, String service, long t) {
        return i.service().equals(service)
                && t >= i.startMs()
                && t <= i.endMs() + IncidentReport.GRACE_MS;
    }
}

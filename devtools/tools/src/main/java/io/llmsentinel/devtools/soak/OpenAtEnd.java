package io.llmsentinel.devtools.soak;

import io.llmsentinel.functions.detect.Metric;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The alerts and incidents that opened and had not resolved when the soak's traffic ended, each
 * with whether it could have: an alert resolves once event time has passed its last evidence (the
 * last anomaly of its key and metric) by the recovery window, and event time reaches the end of the
 * traffic less the allowed disorder. One that could have and did not is a finding; one whose
 * evidence went on until too late was still going (the injected incident or a natural tail).
 */
final class OpenAtEnd {

    /**
     * One alert still open.
     *
     * @param lastEvidenceMs event time of the last anomaly of its key and metric
     * @param couldHaveResolved its recovery window ended before the traffic's event time did
     */
    record OpenAlert(
            JobRecord.AlertChange opening, long lastEvidenceMs, boolean couldHaveResolved) {}

    /** One incident still open, and which of its alerts keep it so. */
    record OpenIncident(
            JobRecord.IncidentChange opening,
            List<OpenAlert> openAlerts,
            boolean couldHaveResolved) {}

    final List<OpenAlert> alerts = new ArrayList<>();
    final List<OpenIncident> incidents = new ArrayList<>();
    int alertsOpened;
    int incidentsOpened;

    /**
     * @param recoveryMs the alert policy's recovery window for per-request metrics
     * @param windowRecoveryMs ... and for windowed ones
     * @param disorderMs event-time.max-out-of-orderness: how far event time trails the traffic
     */
    static OpenAtEnd of(
            JobRecord record,
            long trafficEndMs,
            long recoveryMs,
            long windowRecoveryMs,
            long disorderMs) {
        OpenAtEnd out = new OpenAtEnd();
        Map<String, Long> lastEvidence = new HashMap<>();
        for (JobRecord.Anomaly a : record.anomalies) {
            lastEvidence.merge(a.alertKey(), a.eventTimeMs(), Math::max);
        }
        Set<String> resolved = new HashSet<>();
        for (JobRecord.AlertChange c : record.alerts) {
            if (c.resolution()) {
                resolved.add(c.alertId());
            }
        }
        Map<String, OpenAlert> openById = new HashMap<>();
        for (JobRecord.AlertChange c : record.alerts) {
            if (!c.state().equals("opened")) {
                continue;
            }
            out.alertsOpened++;
            if (resolved.contains(c.alertId())) {
                continue;
            }
            long last = Math.max(c.eventTimeMs(), lastEvidence.getOrDefault(c.alertKey(), 0L));
            long recovery = windowed(c.metric()) ? windowRecoveryMs : recoveryMs;
            OpenAlert open = new OpenAlert(c, last, last + recovery < trafficEndMs - disorderMs);
            out.alerts.add(open);
            openById.put(c.alertId(), open);
        }
        Set<String> incidentsResolved = new HashSet<>();
        for (JobRecord.IncidentChange c : record.incidents) {
            if (c.state().equals("resolved")) {
                incidentsResolved.add(c.incidentId());
            }
        }
        Set<String> counted = new HashSet<>();
        for (JobRecord.IncidentChange c : record.incidents) {
            if (!c.state().equals("opened") || !counted.add(c.incidentId())) {
                continue;
            }
            out.incidentsOpened++;
            if (incidentsResolved.contains(c.incidentId())) {
                continue;
            }
            // its alerts as of its last change: those that joined later count too
            Set<String> members = new HashSet<>();
            for (JobRecord.IncidentChange d : record.incidents) {
                if (d.incidentId().equals(c.incidentId())) {
                    members.addAll(d.alertIds());
                }
            }
            List<OpenAlert> open = new ArrayList<>();
            for (String id : members) {
                if (openById.containsKey(id)) {
                    open.add(openById.get(id));
                }
            }
            boolean could = open.stream().allMatch(OpenAlert::couldHaveResolved);
            out.incidents.add(new OpenIncident(c, open, could));
        }
        return out;
    }

    /** Open alerts and incidents that could have resolved and did not. */
    int stuck() {
        return (int)
                (alerts.stream().filter(OpenAlert::couldHaveResolved).count()
                        + incidents.stream().filter(OpenIncident::couldHaveResolved).count());
    }

    private static boolean windowed(String metric) {
        try {
            return !Metric.fromCode(metric).perRequest();
        } catch (RuntimeException unknown) {
            return true; // the longer recovery: never calls an alert stuck too early
        }
    }
}

package io.llmsentinel.devtools.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the job decided, by its own record: the anomalies and alert changes of the exactly-once
 * anomaly topic (read committed), and the incident changes, from that topic when they are on it and
 * otherwise from the console's JSON lines (which a restart may repeat: they are kept once per
 * message id). Every output is compared with this.
 */
final class JobRecord {

    /** Where the incident changes came from. */
    enum IncidentSource {
        TOPIC,
        CONSOLE
    }

    /** An anomaly of the topic. */
    record Anomaly(
            String id,
            long eventTimeMs,
            long detectedAtMs,
            String alertKey,
            String service,
            String metric,
            String severity) {}

    /**
     * An alert change of the topic.
     *
     * @param detectedAtMs when the anomaly behind an opening or escalation was detected; 0 for a
     *     resolution (its record says no wall-clock time)
     */
    record AlertChange(
            String alertId,
            String state,
            long eventTimeMs,
            long openedAtMs,
            long detectedAtMs,
            String anomalyId,
            String alertKey,
            String service,
            String model,
            String metric,
            String severity) {

        boolean resolution() {
            return state.equals("resolved");
        }

        /** Its id at webhooks and RabbitMQ (AlertEvent.messageId()). */
        String messageId() {
            return resolution() ? alertId + ":resolved" : anomalyId;
        }

        /** Its id in InfluxDB. */
        String storeId() {
            return StoreProbe.alertChangeId(alertId, state, eventTimeMs);
        }
    }

    /** An incident change. */
    record IncidentChange(
            String incidentId,
            String state,
            int sequence,
            long eventTimeMs,
            String severity,
            String service,
            List<String> alertIds) {

        /** Its id at webhooks and RabbitMQ (IncidentEvent.messageId()). */
        String messageId() {
            return incidentId + ":" + state + ":" + sequence;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<Anomaly> anomalies = new ArrayList<>();
    final List<AlertChange> alerts = new ArrayList<>();
    final List<IncidentChange> incidents = new ArrayList<>();
    IncidentSource incidentSource = IncidentSource.TOPIC;

    /** Records the exactly-once topic holds more than once (it should hold none). */
    int topicDuplicates;

    /**
     * @param topic the anomaly topic's records, read committed
     * @param console lines the job's console sink printed (a subtask prefix such as "1> " is
     *     allowed); only their incident changes are read, and only when the topic has none
     */
    static JobRecord of(List<JsonNode> topic, List<String> console) {
        JobRecord r = new JobRecord();
        Set<String> seen = new HashSet<>();
        for (JsonNode n : topic) {
            String type = n.path("record_type").asText("anomaly");
            switch (type) {
                case "anomaly" -> {
                    Anomaly a = anomaly(n);
                    if (seen.add("anomaly|" + a.id())) {
                        r.anomalies.add(a);
                    } else {
                        r.topicDuplicates++;
                    }
                }
                case "alert" -> {
                    AlertChange c = alert(n);
                    if (seen.add("alert|" + c.storeId())) {
                        r.alerts.add(c);
                    } else {
                        r.topicDuplicates++;
                    }
                }
                case "incident" -> {
                    IncidentChange c = incident(n);
                    if (seen.add("incident|" + c.messageId())) {
                        r.incidents.add(c);
                    } else {
                        r.topicDuplicates++;
                    }
                }
                default -> {
                    // audit events of the control topic share the anomaly topic
                }
            }
        }
        if (r.incidents.isEmpty()) {
            r.incidentSource = IncidentSource.CONSOLE;
            for (String line : console) {
                int brace = line.indexOf('{');
                if (brace < 0 || !line.contains("\"record_type\":\"incident\"")) {
                    continue;
                }
                JsonNode n;
                try {
                    n = JSON.readTree(line.substring(brace));
                } catch (IOException cutShort) {
                    continue; // the last line of a killed TaskManager
                }
                IncidentChange c = incident(n);
                if (seen.add("incident|" + c.messageId())) {
                    r.incidents.add(c);
                }
            }
        }
        return r;
    }

    /** The key an alert is kept under (AlertPolicyFunction.alertKey), from a record's fields. */
    static String alertKey(JsonNode n) {
        return String.join(
                "\u001f",
                n.path("service").asText("null"),
                n.path("model").asText("null"),
                n.path("provider").asText("null"),
                n.path("operation").asText("null"),
                n.path("environment").asText("null"),
                n.path("namespace").asText("null"),
                n.path("metric").asText());
    }

    private static Anomaly anomaly(JsonNode n) {
        return new Anomaly(
                n.path("anomaly_id").asText(),
                time(n.path("event_time")),
                time(n.path("detected_at")),
                alertKey(n),
                n.path("service").asText(),
                n.path("metric").asText(),
                n.path("severity").asText());
    }

    private static AlertChange alert(JsonNode n) {
        JsonNode cause = n.path("anomaly");
        return new AlertChange(
                n.path("alert_id").asText(),
                n.path("state").asText(),
                time(n.path("event_time")),
                time(n.path("opened_at")),
                time(cause.path("detected_at")),
                cause.path("anomaly_id").asText(null),
                alertKey(n),
                n.path("service").asText(),
                n.path("model").asText(null),
                n.path("metric").asText(),
                n.path("severity").asText());
    }

    private static IncidentChange incident(JsonNode n) {
        List<String> alertIds = new ArrayList<>();
        for (JsonNode a : n.path("alerts")) {
            alertIds.add(a.path("alert_id").asText());
        }
        return new IncidentChange(
                n.path("incident_id").asText(),
                n.path("state").asText(),
                n.path("sequence").asInt(),
                time(n.path("event_time")),
                n.path("severity").asText(),
                n.path("service").asText(),
                alertIds);
    }

    /** An ISO-8601 instant in epoch ms; 0 when absent. */
    private static long time(JsonNode n) {
        return n.isTextual() ? Instant.parse(n.asText()).toEpochMilli() : 0;
    }
}

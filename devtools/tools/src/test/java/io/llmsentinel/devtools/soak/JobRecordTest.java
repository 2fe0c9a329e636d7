package io.llmsentinel.devtools.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The job's own record: the topic's anomalies and alert changes, incidents from topic or console.
 */
class JobRecordTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long T0 = 1_764_000_000_000L;

    static ObjectNode anomaly(String id, long eventMs, long detectedMs, String metric) {
        ObjectNode n = JSON.createObjectNode();
        n.put("anomaly_id", id);
        n.put("event_time", Instant.ofEpochMilli(eventMs).toString());
        n.put("detected_at", Instant.ofEpochMilli(detectedMs).toString());
        n.put("severity", "high");
        n.put("service", "support-bot");
        n.put("model", "gpt-4o");
        n.put("provider", "openai");
        n.put("operation", "chat");
        n.put("environment", "production");
        n.putNull("namespace");
        n.put("metric", metric);
        return n;
    }

    static ObjectNode alert(
            String alertId, String state, long eventMs, ObjectNode cause, String severity) {
        ObjectNode n = JSON.createObjectNode();
        n.put("record_type", "alert");
        n.put("alert_id", alertId);
        n.put("state", state);
        n.put("event_time", Instant.ofEpochMilli(eventMs).toString());
        n.put("opened_at", Instant.ofEpochMilli(eventMs).toString());
        n.put("severity", severity);
        for (String f :
                List.of("service", "model", "provider", "operation", "environment", "metric")) {
            n.set(f, cause.get(f));
        }
        n.putNull("namespace");
        if (!state.equals("resolved")) {
            n.set("anomaly", cause);
        }
        return n;
    }

    static ObjectNode incident(
            String id, String state, int sequence, long eventMs, String... alertIds) {
        ObjectNode n = JSON.createObjectNode();
        n.put("record_type", "incident");
        n.put("incident_id", id);
        n.put("state", state);
        n.put("sequence", sequence);
        n.put("event_time", Instant.ofEpochMilli(eventMs).toString());
        n.put("severity", "high");
        n.put("service", "support-bot");
        var alerts = n.putArray("alerts");
        for (String a : alertIds) {
            alerts.addObject().put("alert_id", a);
        }
        return n;
    }

    @Test
    void readsAnomaliesAlertChangesAndTheirIdsAtEachOutput() {
        ObjectNode cause = anomaly("an-1", T0, T0 + 400, "latency_ms");
        List<JsonNode> topic =
                List.of(
                        cause,
                        alert("al-1", "opened", T0, cause, "high"),
                        alert("al-1", "resolved", T0 + 180_000, cause, "high"),
                        cause,
                        JSON.createObjectNode().put("record_type", "audit"));
        JobRecord r = JobRecord.of(topic, List.of());

        assertThat(r.anomalies).hasSize(1);
        assertThat(r.topicDuplicates).as("the anomaly twice").isEqualTo(1);
        assertThat(r.alerts)
                .extracting(JobRecord.AlertChange::messageId)
                .containsExactly("an-1", "al-1:resolved");
        assertThat(r.alerts.get(0).detectedAtMs()).isEqualTo(T0 + 400);
        assertThat(r.alerts.get(1).detectedAtMs()).isZero();
        assertThat(r.alerts.get(0).storeId()).isEqualTo("al-1:opened:" + T0);
        assertThat(r.alerts.get(0).alertKey()).isEqualTo(r.anomalies.get(0).alertKey());
    }

    @Test
    void incidentsComeFromTheConsoleOnlyWhenTheTopicHasNone() {
        List<String> console =
                List.of(
                        "1> " + incident("in-1", "opened", 0, T0, "al-1"),
                        "2> " + incident("in-1", "opened", 0, T0, "al-1"),
                        "1> {\"record_type\":\"incident\",\"incident_id\":\"cut",
                        "2> "
                                + alert(
                                        "al-1",
                                        "opened",
                                        T0,
                                        anomaly("an-1", T0, T0, "ttft_ms"),
                                        "low"));
        JobRecord fromConsole = JobRecord.of(List.of(), console);
        assertThat(fromConsole.incidentSource).isEqualTo(JobRecord.IncidentSource.CONSOLE);
        assertThat(fromConsole.incidents)
                .extracting(JobRecord.IncidentChange::messageId)
                .containsExactly("in-1:opened:0");
        assertThat(fromConsole.alerts).as("alerts only from the topic").isEmpty();

        JobRecord fromTopic =
                JobRecord.of(List.of(incident("in-2", "resolved", 3, T0, "al-2")), console);
        assertThat(fromTopic.incidentSource).isEqualTo(JobRecord.IncidentSource.TOPIC);
        assertThat(fromTopic.incidents)
                .extracting(JobRecord.IncidentChange::messageId)
                .containsExactly("in-2:resolved:3");
    }
}

package io.llmsentinel.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.query.InfluxQueries.AlertLabel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Alerts shown with their acknowledgement, label, exemplars and runbook as InfluxDB stores them.
 */
class AlertRoutesTest {
    static Map<String, Object> alert(String id, String openedAt) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("alert_id", id);
        a.put("state", "open");
        a.put("opened_at", openedAt);
        a.put("time", "2026-01-01T12:00:00Z");
        return a;
    }

    @Test
    void eachAlertGetsItsOwnAcknowledgementAndLabel() {
        List<Map<String, Object>> alerts =
                new ArrayList<>(
                        List.of(
                                alert("a1", "2026-01-01T10:00:00Z"),
                                alert("a2", "2026-01-01T11:00:00Z")));
        long at = Instant.parse("2026-01-01T12:30:00Z").toEpochMilli();
        AlertRoutes.withLabels(
                alerts,
                List.of(
                        new AlertLabel("a1", "ack", "ana", "bo", null, "on it", at),
                        new AlertLabel("a1", "feedback", "cy", null, "false_positive", null, at),
                        new AlertLabel("zz", "ack", "dan", null, null, null, at)));
        @SuppressWarnings("unchecked")
        Map<String, Object> ack = (Map<String, Object>) alerts.get(0).get("acknowledged");
        assertThat(ack)
                .containsEntry("by", "ana")
                .containsEntry("on_behalf_of", "bo")
                .containsEntry("note", "on it")
                .containsEntry("at", "2026-01-01T12:30:00Z");
        assertThat(alerts.get(0))
                .containsEntry("label", "false_positive")
                .containsEntry("labelled_by", "cy");
        assertThat(alerts.get(1)).doesNotContainKeys("acknowledged", "label", "labelled_by");
    }

    @Test
    void ofTwoLabelsTheLaterWinsAndOldPointsWithoutATimeLose() {
        List<Map<String, Object>> alerts =
                new ArrayList<>(List.of(alert("a1", "2026-01-01T10:00:00Z")));
        AlertRoutes.withLabels(
                alerts,
                List.of(
                        new AlertLabel("a1", "feedback", "cy", null, "true_positive", null, 2_000L),
                        new AlertLabel("a1", "feedback", "old", null, "false_positive", null, null),
                        new AlertLabel(
                                "a1", "feedback", "bo", null, "false_positive", null, 1_000L)));
        assertThat(alerts.get(0))
                .containsEntry("label", "true_positive")
                .containsEntry("labelled_by", "cy");
        @SuppressWarnings("unchecked")
        Map<String, Object> none = (Map<String, Object>) alerts.get(0).get("acknowledged");
        assertThat(none).isNull();
    }

    /** An alert change as InfluxDB returns it (fields and tags of one row). */
    static Map<String, Object> row(String state) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("time", Instant.parse("2026-01-01T12:00:00Z"));
        r.put("alert_id", "a1");
        r.put("state", state);
        r.put("severity", "high");
        r.put("anomaly_type", "latency_spike");
        r.put("service", "support-bot");
        r.put("metric", "latency_ms");
        r.put("opened_at_ms", Instant.parse("2026-01-01T11:58:00Z").toEpochMilli());
        return r;
    }

    /**
     * A point's sub-millisecond part (which keeps two records of one series in one millisecond
     * apart in InfluxDB) is not shown: the API gives the event time the job's records give.
     */
    @Test
    void storedTimesAreShownInWholeMillisecondsAsTheJobGivesThem() {
        Map<String, Object> r = row("opened");
        r.put("time", Instant.parse("2026-01-01T12:00:00.123734211Z"));
        assertThat(InfluxQueries.alertJson(r)).containsEntry("time", "2026-01-01T12:00:00.123Z");
        Map<String, Object> anomaly = new LinkedHashMap<>();
        anomaly.put("time", Instant.parse("2026-01-01T12:00:00.123734211Z"));
        anomaly.put("anomaly_id", "an-1");
        assertThat(InfluxQueries.anomalyJson(anomaly))
                .containsEntry("event_time", "2026-01-01T12:00:00.123Z");
    }

    @Test
    void anAlertShowsItsExemplarsAndRunbookAsStored() throws Exception {
        Map<String, Object> r = row("opened");
        r.put(
                "exemplar_trace_ids",
                "0af7651916cd43dd8448eb211c80319c,4bf92f3577b34da6a3ce929d0e0e4736");
        r.put("exemplar_span_ids", ",00f067aa0ba902b7");
        r.put(
                "exemplar_url_1",
                "https://tempo.example.com/trace/0af7651916cd43dd8448eb211c80319c?x=1,2");
        r.put("runbook_url", "https://runbooks.example.com/llm/latency");

        String json = new ObjectMapper().writeValueAsString(InfluxQueries.alertJson(r));

        JsonNode a = new ObjectMapper().readTree(json);
        assertThat(a.get("alert_id").asText()).isEqualTo("a1");
        assertThat(a.get("state").asText()).isEqualTo("open");
        assertThat(a.get("opened_at").asText()).isEqualTo("2026-01-01T11:58:00Z");
        assertThat(a.get("runbook_url").asText())
                .isEqualTo("https://runbooks.example.com/llm/latency");
        JsonNode x = a.get("exemplars");
        assertThat(x.isArray()).isTrue();
        assertThat(x).hasSize(2);
        // The first has a link (with a comma in it) but no span id; the second a span id only.
        assertThat(x.get(0).get("trace_id").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(x.get(0).has("span_id")).isFalse();
        assertThat(x.get(0).get("url").asText())
                .isEqualTo(
                        "https://tempo.example.com/trace/0af7651916cd43dd8448eb211c80319c?x=1,2");
        assertThat(x.get(1).get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(x.get(1).get("span_id").asText()).isEqualTo("00f067aa0ba902b7");
        assertThat(x.get(1).has("url")).isFalse();
    }

    @Test
    void anAlertWithoutLinksHasNoExemplarsAndTakesThoseOfItsOpening() {
        Map<String, Object> resolved = row("resolved");
        Map<String, Object> a = InfluxQueries.alertJson(resolved);
        assertThat(a.get("exemplars")).isEqualTo(List.of());
        assertThat(a).doesNotContainKey("runbook_url");
        assertThat(a).containsEntry("state", "resolved");

        // Points written before exemplars were stored, or a resolution without them: the
        // alert's opening, read next (newest first), fills them in.
        Map<String, Object> opened = row("opened");
        opened.put("exemplar_trace_ids", "5b8aa5a2d2c872e8321cf37308d69df2");
        opened.put("exemplar_span_ids", "");
        opened.put("runbook_url", "https://runbooks.example.com/llm/latency");
        InfluxQueries.withLinksOf(a, opened);
        assertThat(a.get("exemplars"))
                .isEqualTo(List.of(Map.of("trace_id", "5b8aa5a2d2c872e8321cf37308d69df2")));
        assertThat(a).containsEntry("runbook_url", "https://runbooks.example.com/llm/latency");

        // Never more than three, whatever a point holds.
        Map<String, Object> many = row("opened");
        many.put("exemplar_trace_ids", "t1,t2,t3,t4,t5");
        assertThat(InfluxQueries.exemplars(many)).hasSize(3);
    }

    @Test
    void everyFieldOfAnAlertIsDocumentedInTheOpenApiDocument() throws Exception {
        JsonNode doc;
        try (var in = AlertRoutesTest.class.getResourceAsStream("/openapi.json")) {
            doc = new ObjectMapper().readTree(in);
        }
        JsonNode schemas = doc.get("components").get("schemas");
        assertThat(
                        doc.at("/paths/~1api~1v1~1alerts/get/responses/200/content")
                                .at("/application~1json/schema/properties/items/items/$ref")
                                .asText())
                .isEqualTo("#/components/schemas/Alert");
        Map<String, Object> r = row("opened");
        r.put("exemplar_trace_ids", "t1");
        r.put("exemplar_span_ids", "s1");
        r.put("exemplar_url_1", "https://tempo.example.com/trace/t1");
        r.put("runbook_url", "https://runbooks.example.com/llm/latency");
        r.put("peak_value", 3.5);
        r.put("repeats", 2L);
        r.put("model", "gpt-4o");
        r.put("provider", "openai");
        List<Map<String, Object>> alerts = new ArrayList<>(List.of(InfluxQueries.alertJson(r)));
        AlertRoutes.withLabels(
                alerts,
                List.of(
                        new AlertLabel("a1", "ack", "ana", "bo", null, "on it", 1L),
                        new AlertLabel("a1", "feedback", "cy", null, "true_positive", null, 1L)));
        List<String> documented = new ArrayList<>();
        schemas.get("Alert").get("properties").fieldNames().forEachRemaining(documented::add);
        assertThat(documented).containsAll(alerts.get(0).keySet());
        List<String> exemplar = new ArrayList<>();
        schemas.get("Exemplar").get("properties").fieldNames().forEachRemaining(exemplar::add);
        assertThat(exemplar).containsExactly("trace_id", "span_id", "url");
    }

    @Test
    void labelsAreLookedUpWhereTheyAreStoredAtTheAlertsOpenings() {
        Instant[] span =
                AlertRoutes.openedSpan(
                        List.of(
                                alert("a1", "2026-01-01T11:00:00Z"),
                                alert("a2", "2026-01-01T09:00:00Z"),
                                alert("a3", "2026-01-01T10:00:00Z")));
        assertThat(span[0]).isEqualTo(Instant.parse("2026-01-01T09:00:00Z"));
        // a label's point is at its anomaly's time plus under a millisecond
        assertThat(span[1]).isEqualTo(Instant.parse("2026-01-01T11:00:00.001Z"));
    }
}

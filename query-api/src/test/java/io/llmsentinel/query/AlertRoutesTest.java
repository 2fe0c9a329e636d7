package io.llmsentinel.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.query.InfluxQueries.AlertLabel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Alerts shown with their acknowledgement and label as InfluxDB stores them. */
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

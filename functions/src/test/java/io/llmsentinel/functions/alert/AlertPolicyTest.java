package io.llmsentinel.functions.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.Severity;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AlertPolicyTest {

    /** The per-request defaults: 3 of 10 values, spanning 5 s within 60 s, never at once. */
    static final AlertSettings PER_REQUEST = new AlertSettings(3, 10, 5_000, 60_000, null, 120_000);

    /** The windowed defaults: 2 of 3 windows, a critical window at once. */
    static final AlertSettings WINDOWS =
            new AlertSettings(2, 3, 0, 300_000, Severity.CRITICAL, 180_000);

    static final AlertPolicy POLICY =
            new AlertPolicy(Map.of(Metric.ERROR_RATE, WINDOWS), PER_REQUEST);

    /** An anomaly of support-bot's latency at {@code t} s, after the given recent verdicts. */
    static Anomaly anomaly(long t, String severity, int recentVerdicts, double value) {
        Anomaly a = new Anomaly();
        a.anomalyId = "a-" + t;
        a.service = "support-bot";
        a.model = "gpt-4o";
        a.metric = Metric.LATENCY_MS.code();
        a.anomalyType = "latency_spike";
        a.eventTimeMs = t * 1000;
        a.detectedAtMs = t * 1000 + 5;
        a.severity = severity;
        a.recentVerdicts = recentVerdicts;
        a.value = value;
        a.score = value / 10_000;
        a.traceId = "trace-" + t;
        a.spanId = "span-" + t;
        return a;
    }

    /** Feeds the anomalies in order; returns the events sent and leaves the state in {@code s}. */
    static List<AlertEvent> feed(AlertState[] s, Anomaly... anomalies) {
        List<AlertEvent> sent = new ArrayList<>();
        for (Anomaly a : anomalies) {
            AlertPolicy.Decision d = POLICY.onAnomaly(s[0], a);
            s[0] = d.state();
            if (d.event() != null) {
                sent.add(d.event());
            }
        }
        return sent;
    }

    @Test
    void oneRequestNeverPagesHoweverExtreme() {
        AlertPolicy.Decision d = POLICY.onAnomaly(null, anomaly(10, "critical", 0b1, 90_000));
        assertThat(d.event()).isNull();
        assertThat(d.outcome()).isEqualTo(AlertPolicy.Outcome.EVIDENCE);
        assertThat(d.state().evidenceAt).containsExactly(10_000L);
        // Two of the last ten are not enough either, however severe.
        assertThat(POLICY.onAnomaly(d.state(), anomaly(11, "critical", 0b101, 90_000)).event())
                .isNull();
    }

    @Test
    void aBurstAtOneInstantIsNotAnIncident() {
        AlertState[] s = {null};
        // Five slow requests within a second (one queue, one cold connection): persistent among
        // values, but spanning less than the minimum span.
        List<AlertEvent> sent =
                feed(
                        s,
                        anomaly(100, "critical", 0b1, 9000),
                        anomaly(100, "critical", 0b11, 9000),
                        anomaly(100, "critical", 0b111, 9000),
                        anomaly(101, "critical", 0b1111, 9000),
                        anomaly(101, "critical", 0b1_1111, 9000));
        assertThat(sent).isEmpty();
    }

    @Test
    void persistentEvidenceOpensAtTheSeverityItSustains() {
        AlertState[] s = {null};
        List<AlertEvent> sent =
                feed(
                        s,
                        anomaly(20, "critical", 0b1, 9000),
                        anomaly(21, "medium", 0b11, 2500),
                        anomaly(22, "medium", 0b111, 2600), // 3 of 10, but 2 s: not yet
                        anomaly(26, "medium", 0b1111, 2700)); // spans 6 s: opens
        assertThat(sent).singleElement();
        AlertEvent e = sent.get(0);
        assertThat(e.state).isEqualTo(AlertEvent.State.OPENED);
        assertThat(e.alertId).isEqualTo("a-26");
        assertThat(e.severity)
                .as("one critical value is not a critical incident")
                .isEqualTo("medium");
        assertThat(e.persistenceAnomalous).isEqualTo(4);
        assertThat(e.persistenceOf).isEqualTo(10);
        assertThat(POLICY.nextTimer(s[0])).isEqualTo(26_000 + 120_000);
    }

    @Test
    void theSameAnomaliesInAnyOrderOpenTheSameAlert() {
        List<Anomaly> incident = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            incident.add(anomaly(300 + i, i % 3 == 0 ? "critical" : "high", 0b111, 8000 + i));
        }
        List<String> outcomes = new ArrayList<>();
        Random rnd = new Random(3);
        for (int run = 0; run < 20; run++) {
            List<Anomaly> order = new ArrayList<>(incident);
            Collections.shuffle(order, rnd);
            AlertState[] s = {null};
            List<AlertEvent> sent = feed(s, order.toArray(new Anomaly[0]));
            outcomes.add(sent.get(sent.size() - 1).severity + "/" + s[0].evidenceAt.length);
        }
        assertThat(outcomes).as("severity reached and evidence kept").containsOnly("critical/12");
    }

    @Test
    void aWindowMetricMayOpenAtOnceOnACriticalWindow() {
        Anomaly a = anomaly(30, "critical", 0b1, 0.4);
        a.metric = "error_rate";
        AlertEvent e = POLICY.onAnomaly(null, a).event();
        assertThat(e.state).isEqualTo(AlertEvent.State.OPENED);
        assertThat(e.severity).isEqualTo("critical");
        Anomaly first = anomaly(29, "high", 0b1, 0.3);
        Anomaly second = anomaly(30, "high", 0b11, 0.3);
        first.metric = "error_rate";
        second.metric = "error_rate";
        AlertState s = POLICY.onAnomaly(null, first).state();
        assertThat(POLICY.onAnomaly(s, second).event().severity)
                .as("two of three windows, no minimum span")
                .isEqualTo("high");
    }

    @Test
    void aHigherSustainedSeverityIsSentAtOnceAndRepeatsAreCountedNotSent() {
        AlertState[] s = {null};
        feed(
                s,
                anomaly(40, "medium", 0b1, 2500),
                anomaly(42, "medium", 0b11, 2500),
                anomaly(45, "medium", 0b111, 2500)); // opens medium
        List<AlertEvent> sent =
                feed(
                        s,
                        anomaly(46, "high", 0b1111, 5000), // one high: a repeat
                        anomaly(47, "low", 0b1_1111, 2000),
                        anomaly(50, "high", 0b11_1111, 5200),
                        anomaly(52, "high", 0b111_1111, 5100)); // three highs over 6 s
        assertThat(sent).singleElement();
        AlertEvent escalated = sent.get(0);
        assertThat(escalated.state).isEqualTo(AlertEvent.State.ESCALATED);
        assertThat(escalated.alertId).isEqualTo("a-45");
        assertThat(escalated.messageId()).isEqualTo("a-52");
        assertThat(escalated.severity).isEqualTo("high");
        assertThat(escalated.repeats).isEqualTo(3);
        assertThat(s[0].peakValue).isEqualTo(5200);
        assertThat(escalated.exemplarTraceIds)
                .as("the most anomalous requests, by score")
                .containsExactly("trace-50", "trace-52", "trace-46");
    }

    @Test
    void resolvesAfterARecoveryWindowWithoutPersistentAnomalies() {
        AlertState[] s = {null};
        feed(
                s,
                anomaly(100, "medium", 0b1, 2500),
                anomaly(103, "medium", 0b11, 2500),
                anomaly(106, "medium", 0b111, 2500), // opens
                anomaly(160, "high", 0b1111, 6000), // still persistent: holds it open
                anomaly(200, "medium", 0b1, 3000)); // an isolated tail value: does not

        assertThat(POLICY.onTime(s[0], 220_000).resolved()).isNull();
        assertThat(POLICY.nextTimer(s[0])).isEqualTo(280_000);
        AlertPolicy.Tick t = POLICY.onTime(s[0], 280_000);
        AlertEvent r = t.resolved();
        assertThat(t.keep()).isFalse();
        assertThat(r.state).isEqualTo(AlertEvent.State.RESOLVED);
        assertThat(r.alertId).isEqualTo("a-106");
        assertThat(r.messageId()).isEqualTo("a-106:resolved");
        assertThat(r.eventTimeMs).isEqualTo(280_000);
        assertThat(r.durationMs()).isEqualTo(54_000);
        assertThat(r.peakValue).isEqualTo(6000);
        assertThat(r.repeats).isEqualTo(2);
        assertThat(r.anomaly).isNull();
    }

    @Test
    void evidenceWithoutAnAlertIsForgottenOnceItHasAgedOut() {
        AlertState st = POLICY.onAnomaly(null, anomaly(10, "high", 0b1, 5000)).state();
        assertThat(POLICY.nextTimer(st)).isEqualTo(70_000);
        assertThat(POLICY.onTime(st, 69_999).keep()).isTrue();
        AlertPolicy.Tick t = POLICY.onTime(st, 70_000);
        assertThat(t.keep()).isFalse();
        assertThat(t.resolved()).isNull();
    }

    @Test
    void aYoungBaselineOpensNothing() {
        AlertState[] s = {null};
        Anomaly[] young = {
            anomaly(10, "critical", 0b1, 9000),
            anomaly(15, "critical", 0b11, 9000),
            anomaly(20, "critical", 0b111, 9000)
        };
        for (Anomaly a : young) {
            a.warmingUp = true;
        }
        for (Anomaly a : young) {
            AlertPolicy.Decision d = POLICY.onAnomaly(s[0], a);
            assertThat(d.outcome()).isEqualTo(AlertPolicy.Outcome.WARMING_UP);
            assertThat(d.event()).isNull();
            s[0] = d.state();
        }
        assertThat(s[0]).as("nothing kept for a young baseline").isNull();
    }

    @Test
    void theWireFormatsSayWhatHappened() {
        AlertState[] s = {null};
        List<AlertEvent> sent =
                feed(
                        s,
                        anomaly(94, "medium", 0b1, 2500),
                        anomaly(97, "medium", 0b11, 2500),
                        anomaly(100, "medium", 0b111, 2500));
        AlertEvent opened = sent.get(0);
        String record = AlertJson.toJson(opened);
        assertThat(record)
                .contains("\"record_type\":\"alert\"")
                .contains("\"state\":\"opened\"")
                .contains("\"persistence\":{\"anomalous\":3,\"of\":10}")
                .contains("\"exemplars\":[{\"trace_id\":\"trace-100\",\"span_id\":\"span-100\"}]")
                .contains("\"anomaly\":{\"schema_version\":1,\"anomaly_id\":\"a-100\"");
        String payload = new String(AlertJson.payload(opened));
        assertThat(payload)
                .startsWith("{\"schema_version\":1,\"anomaly_id\":\"a-100\"")
                .contains("\"alert\":{\"alert_id\":\"a-100\",\"state\":\"opened\"");

        String resolved = new String(AlertJson.payload(POLICY.onTime(s[0], 10_000_000).resolved()));
        assertThat(resolved)
                .contains("\"alert_id\":\"a-100\"")
                .contains("\"state\":\"resolved\"")
                .contains("\"resolved_at\":\"1970-01-01T00:03:40Z\"")
                .contains("\"duration_ms\":0")
                .contains("\"severity\":\"medium\"")
                .contains("\"peak_value\":2500.0")
                .doesNotContain("\"anomaly_id\"");
    }
}

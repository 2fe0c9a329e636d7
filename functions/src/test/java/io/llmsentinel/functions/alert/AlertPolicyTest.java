package io.llmsentinel.functions.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.Severity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertPolicyTest {

    static final AlertSettings THREE_OF_TEN = new AlertSettings(3, 10, Severity.CRITICAL, 120_000);
    static final AlertPolicy POLICY = new AlertPolicy(Map.of(), THREE_OF_TEN);

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
        return a;
    }

    @Test
    void oneUnluckyValueInterruptsNobody() {
        AlertPolicy.Decision d = POLICY.onAnomaly(null, anomaly(10, "high", 0b1, 3000));
        assertThat(d.state()).isNull();
        assertThat(d.event()).isNull();
        // Two of the last ten are not enough either.
        assertThat(POLICY.onAnomaly(null, anomaly(11, "high", 0b101, 3000)).event()).isNull();
        // Three anomalous, but spread over more than ten values: the oldest has aged out.
        assertThat(POLICY.onAnomaly(null, anomaly(12, "high", 0b100_0000_0011, 3000)).event())
                .isNull();
    }

    @Test
    void persistentEvidenceOpensAnAlertNamedAfterItsAnomaly() {
        Anomaly a = anomaly(20, "medium", 0b1_0011, 2500);
        AlertPolicy.Decision d = POLICY.onAnomaly(null, a);

        AlertEvent e = d.event();
        assertThat(e.state).isEqualTo(AlertEvent.State.OPENED);
        assertThat(e.alertId).isEqualTo("a-20");
        assertThat(e.messageId()).isEqualTo("a-20");
        assertThat(e.severity).isEqualTo("medium");
        assertThat(e.anomaly).isSameAs(a);
        assertThat(e.persistenceAnomalous).isEqualTo(3);
        assertThat(e.persistenceOf).isEqualTo(10);
        assertThat(d.state().openedAtMs).isEqualTo(20_000);
        assertThat(POLICY.resolvesAt(d.state())).isEqualTo(20_000 + 120_000);
    }

    @Test
    void extremeEvidenceOpensAtOnce() {
        AlertEvent e = POLICY.onAnomaly(null, anomaly(30, "critical", 0b1, 9000)).event();
        assertThat(e.state).isEqualTo(AlertEvent.State.OPENED);
        assertThat(e.severity).isEqualTo("critical");
    }

    @Test
    void aHigherSeverityIsSentAtOnceAndRepeatsAreCountedNotSent() {
        AlertState s = POLICY.onAnomaly(null, anomaly(40, "medium", 0b111, 2500)).state();

        AlertPolicy.Decision repeat = POLICY.onAnomaly(s, anomaly(41, "medium", 0b1111, 2600));
        AlertPolicy.Decision lower = POLICY.onAnomaly(s, anomaly(42, "low", 0b1_1111, 2000));
        AlertPolicy.Decision higher = POLICY.onAnomaly(s, anomaly(43, "high", 0b11_1111, 5000));
        AlertPolicy.Decision again = POLICY.onAnomaly(s, anomaly(44, "high", 0b111_1111, 4000));

        assertThat(repeat.event()).isNull();
        assertThat(lower.event()).isNull();
        AlertEvent escalated = higher.event();
        assertThat(escalated.state).isEqualTo(AlertEvent.State.ESCALATED);
        assertThat(escalated.alertId).isEqualTo("a-40");
        assertThat(escalated.messageId()).isEqualTo("a-43");
        assertThat(escalated.severity).isEqualTo("high");
        assertThat(escalated.repeats).isEqualTo(2);
        assertThat(again.event()).isNull();
        assertThat(s.repeats).isEqualTo(3);
        assertThat(s.peakValue).isEqualTo(5000);
    }

    @Test
    void resolvesOnlyAfterARecoveryWindowWithoutAnomaliesAndSaysWhatHappened() {
        AlertState s = POLICY.onAnomaly(null, anomaly(100, "medium", 0b111, 2500)).state();
        POLICY.onAnomaly(s, anomaly(160, "high", 0b1111, 6000));
        POLICY.onAnomaly(s, anomaly(200, "medium", 0b1_1111, 3000));

        // The timer set at opening (100 s + 120 s) finds a later anomaly: not yet.
        assertThat(POLICY.onTime(s, 220_000)).isNull();
        assertThat(POLICY.resolvesAt(s)).isEqualTo(320_000);

        AlertEvent r = POLICY.onTime(s, 320_000);
        assertThat(r.state).isEqualTo(AlertEvent.State.RESOLVED);
        assertThat(r.alertId).isEqualTo("a-100");
        assertThat(r.messageId()).isEqualTo("a-100:resolved");
        assertThat(r.eventTimeMs).isEqualTo(320_000);
        assertThat(r.openedAtMs).isEqualTo(100_000);
        assertThat(r.durationMs()).isEqualTo(100_000); // first to last anomalous value
        assertThat(r.severity).isEqualTo("high");
        assertThat(r.peakValue).isEqualTo(6000);
        assertThat(r.repeats).isEqualTo(1);
        assertThat(r.anomaly).isNull();
    }

    @Test
    void eachMetricHasItsOwnSettings() {
        AlertPolicy p =
                new AlertPolicy(
                        Map.of(
                                Metric.ERROR_RATE,
                                new AlertSettings(2, 3, Severity.CRITICAL, 180_000)),
                        THREE_OF_TEN);
        Anomaly a = anomaly(10, "medium", 0b11, 0.4);
        a.metric = "error_rate";
        assertThat(p.onAnomaly(null, a).event().state).isEqualTo(AlertEvent.State.OPENED);
        a.metric = "latency_ms";
        assertThat(p.onAnomaly(null, a).event()).as("2 of 10 is not 3 of 10").isNull();
    }

    @Test
    void theWireFormatsSayWhatHappened() {
        AlertPolicy.Decision d = POLICY.onAnomaly(null, anomaly(100, "medium", 0b111, 2500));
        String record = AlertJson.toJson(d.event());
        assertThat(record)
                .contains("\"record_type\":\"alert\"")
                .contains("\"state\":\"opened\"")
                .contains("\"persistence\":{\"anomalous\":3,\"of\":10}")
                .contains("\"anomaly\":{\"schema_version\":1,\"anomaly_id\":\"a-100\"");
        String payload = new String(AlertJson.payload(d.event()));
        assertThat(payload)
                .startsWith("{\"schema_version\":1,\"anomaly_id\":\"a-100\"")
                .contains("\"alert\":{\"alert_id\":\"a-100\",\"state\":\"opened\"");

        String resolved = new String(AlertJson.payload(POLICY.onTime(d.state(), 10_000_000)));
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

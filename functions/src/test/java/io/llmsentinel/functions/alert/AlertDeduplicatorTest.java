package io.llmsentinel.functions.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.anomaly.Anomaly;
import org.junit.jupiter.api.Test;

class AlertDeduplicatorTest {
    private static final long MIN = 60_000;
    private final AlertDeduplicator dedup = new AlertDeduplicator(5 * MIN);

    static Anomaly anomaly(long t, String severity) {
        Anomaly a = new Anomaly();
        a.eventTimeMs = t;
        a.severity = severity;
        return a;
    }

    @Test
    void firstAlertGoesOutAndRepeatsInsideTheWindowAreCounted() {
        long[] s = AlertDeduplicator.newState();
        assertThat(dedup.admit(s, anomaly(0, "low"))).isTrue();
        assertThat(dedup.admit(s, anomaly(MIN, "low"))).isFalse();
        assertThat(dedup.admit(s, anomaly(2 * MIN, "medium"))).isTrue(); // escalation
        assertThat(dedup.admit(s, anomaly(3 * MIN, "low"))).isFalse();
        assertThat(dedup.admit(s, anomaly(4 * MIN, "medium"))).isFalse();
        assertThat(s[AlertDeduplicator.SUPPRESSED]).isEqualTo(2);
    }

    @Test
    void windowIsMeasuredFromTheFirstAlertAndNotExtendedByRepeats() {
        long[] s = AlertDeduplicator.newState();
        dedup.admit(s, anomaly(0, "high"));
        for (long t = MIN; t < 5 * MIN; t += MIN) {
            assertThat(dedup.admit(s, anomaly(t, "high"))).isFalse();
        }
        Anomaly next = anomaly(5 * MIN, "low");
        assertThat(dedup.admit(s, next)).isTrue();
        assertThat(next.suppressedBefore).isEqualTo(4);
        assertThat(s[AlertDeduplicator.WINDOW_START]).isEqualTo(5 * MIN);
    }

    @Test
    void higherSeverityGoesOutAtOnceCarryingTheSuppressedCount() {
        long[] s = AlertDeduplicator.newState();
        dedup.admit(s, anomaly(0, "low"));
        dedup.admit(s, anomaly(10, "low"));
        dedup.admit(s, anomaly(20, "low"));
        Anomaly critical = anomaly(30, "critical");
        assertThat(dedup.admit(s, critical)).isTrue();
        assertThat(critical.suppressedBefore).isEqualTo(2);
        assertThat(s[AlertDeduplicator.WINDOW_START])
                .isZero(); // escalation does not move the window
        assertThat(dedup.admit(s, anomaly(40, "high"))).isFalse();
    }

    @Test
    void aStormStaysBoundedAndSendsOneAlertPerWindow() {
        long[] s = AlertDeduplicator.newState();
        int sent = 0;
        for (long t = 0; t < 60 * MIN; t += 100) { // 36,000 anomalies in an hour
            if (dedup.admit(s, anomaly(t, "medium"))) {
                sent++;
            }
        }
        assertThat(sent).isEqualTo(12);
        assertThat(s).hasSize(3);
        assertThat(s[AlertDeduplicator.SUPPRESSED]).isEqualTo(2999);
    }

    @Test
    void lateAnomalyBeforeTheWindowStartsANewOne() {
        long[] s = AlertDeduplicator.newState();
        dedup.admit(s, anomaly(10 * MIN, "low"));
        assertThat(dedup.admit(s, anomaly(MIN, "low"))).isTrue();
    }
}

package io.llmsentinel.devtools.soak;

import static io.llmsentinel.devtools.soak.JobRecordTest.T0;
import static io.llmsentinel.devtools.soak.JobRecordTest.alert;
import static io.llmsentinel.devtools.soak.JobRecordTest.anomaly;
import static io.llmsentinel.devtools.soak.JobRecordTest.incident;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Alerts and incidents open at the end: stuck, or still going when the traffic ended. */
class OpenAtEndTest {
    static final long MINUTE = 60_000;

    @Test
    void anAlertWhoseRecoveryEndedBeforeTheTrafficIsStuck() {
        ObjectNode quiet = anomaly("an-1", T0, T0, "latency_ms");
        ObjectNode resolvedCause = anomaly("an-2", T0, T0, "ttft_ms");
        JobRecord r =
                JobRecord.of(
                        List.of(
                                quiet,
                                alert("al-1", "opened", T0, quiet, "high"),
                                resolvedCause,
                                alert("al-2", "opened", T0, resolvedCause, "high"),
                                alert("al-2", "resolved", T0 + 3 * MINUTE, resolvedCause, "high"),
                                incident("in-1", "opened", 0, T0, "al-1", "al-2")),
                        List.of());
        OpenAtEnd open = OpenAtEnd.of(r, T0 + 10 * MINUTE, 2 * MINUTE, 3 * MINUTE, 30_000);

        assertThat(open.alertsOpened).isEqualTo(2);
        assertThat(open.alerts)
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.opening().alertId()).isEqualTo("al-1");
                            assertThat(a.couldHaveResolved()).isTrue();
                        });
        assertThat(open.incidents)
                .singleElement()
                .satisfies(i -> assertThat(i.couldHaveResolved()).isTrue());
        assertThat(open.stuck()).isEqualTo(2);
    }

    @Test
    void anAlertWithEvidenceUntilTheEndWasStillGoing() {
        ObjectNode first = anomaly("an-1", T0, T0, "request_rate");
        ObjectNode late = anomaly("an-9", T0 + 8 * MINUTE, T0 + 8 * MINUTE, "request_rate");
        JobRecord r =
                JobRecord.of(
                        List.of(
                                first,
                                alert("al-1", "opened", T0, first, "critical"),
                                late,
                                incident("in-1", "opened", 0, T0, "al-1")),
                        List.of());
        // request_rate is windowed: 3 minutes of recovery after 8 minutes > the end at 10
        OpenAtEnd open = OpenAtEnd.of(r, T0 + 10 * MINUTE, 2 * MINUTE, 3 * MINUTE, 30_000);

        assertThat(open.alerts)
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.lastEvidenceMs()).isEqualTo(T0 + 8 * MINUTE);
                            assertThat(a.couldHaveResolved()).isFalse();
                        });
        assertThat(open.incidents)
                .singleElement()
                .satisfies(i -> assertThat(i.couldHaveResolved()).isFalse());
        assertThat(open.stuck()).isZero();
    }

    @Test
    void resolvedAlertsAndIncidentsAreNotOpen() {
        ObjectNode a = anomaly("an-1", T0, T0, "latency_ms");
        JobRecord r =
                JobRecord.of(
                        List.of(
                                a,
                                alert("al-1", "opened", T0, a, "high"),
                                alert("al-1", "resolved", T0 + 2 * MINUTE, a, "high"),
                                incident("in-1", "opened", 0, T0, "al-1"),
                                incident("in-1", "resolved", 1, T0 + 2 * MINUTE, "al-1")),
                        List.of());
        OpenAtEnd open = OpenAtEnd.of(r, T0 + 10 * MINUTE, 2 * MINUTE, 3 * MINUTE, 30_000);
        assertThat(open.alerts).isEmpty();
        assertThat(open.incidents).isEmpty();
        assertThat(open.incidentsOpened).isEqualTo(1);
    }
}

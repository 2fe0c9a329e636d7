package io.llmsentinel.devtools.soak;

import static io.llmsentinel.devtools.soak.JobRecordTest.T0;
import static io.llmsentinel.devtools.soak.JobRecordTest.anomaly;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmsentinel.devtools.demo.DeliveryLog;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A paused input: what the job decides while nothing comes is a failure (event time must stand
 * still); what it decides about the gap once telemetry comes again is not (every key's request rate
 * fell to nothing, so alerts may open on those windows, with an event time in the pause).
 */
class FaultImpactTest {
    static final long PAUSE_START = T0 + 600_000;
    static final long PAUSE_END = PAUSE_START + 180_000;

    @Test
    void decisionsAboutTheGapAfterThePauseAreNotDecisionsInTheQuiet() {
        // opened on a window of the gap, decided when telemetry came again
        ObjectNode gap = anomaly("an-1", PAUSE_START + 90_000, PAUSE_END + 1_000, "request_rate");
        FaultImpact i = impact(List.of(gap, alert("al-1", "opened", gap, "critical")));

        assertThat(i.quietChanges).isEmpty();
        assertThat(i.gapChanges).containsExactly("opened support-bot/request_rate");
        assertThat(i.line(T0)).contains("decided in the quiet: nothing");
    }

    @Test
    void aResolutionThatArrivesWhileNothingComesWasDecidedInTheQuiet() {
        // the bug of issue 17: event time run ahead while the input was silent
        ObjectNode before = anomaly("an-1", PAUSE_START - 5_000, PAUSE_START - 5_000, "latency_ms");
        ObjectNode resolved =
                JobRecordTest.alert("al-1", "resolved", PAUSE_START + 60_000, before, "high");
        List<DeliveryLog.Entry> arrivals =
                List.of(
                        new DeliveryLog.Entry(PAUSE_START - 4_000, "an-1", "alerts", false),
                        new DeliveryLog.Entry(
                                PAUSE_START + 61_000, "al-1:resolved", "alerts", false));
        JobRecord r =
                JobRecord.of(
                        List.of(before, alert("al-1", "opened", before, "high"), resolved),
                        List.of());
        FaultImpact i =
                FaultImpact.of(pause(), PAUSE_END + 600_000, r, accounts(r, arrivals), List.of());

        assertThat(i.quietChanges).containsExactly("resolved support-bot/latency_ms");
        assertThat(i.gapChanges).isEmpty();
    }

    /** An alert change at its cause's event time. */
    private static ObjectNode alert(String id, String state, ObjectNode cause, String severity) {
        return JobRecordTest.alert(
                id,
                state,
                java.time.Instant.parse(cause.get("event_time").asText()).toEpochMilli(),
                cause,
                severity);
    }

    private static FaultImpact impact(List<ObjectNode> topic) {
        JobRecord r = JobRecord.of(List.copyOf(topic), List.of());
        return FaultImpact.of(pause(), PAUSE_END + 600_000, r, accounts(r, List.of()), List.of());
    }

    private static FaultWindow pause() {
        return new FaultWindow(FaultWindow.INPUT, PAUSE_START, PAUSE_END, "paused");
    }

    private static List<DeliveryAccount> accounts(JobRecord r, List<DeliveryLog.Entry> arrivals) {
        return List.of(
                DeliveryAccount.of(
                        "webhook alerts",
                        r.alerts.stream()
                                .map(
                                        c ->
                                                new DeliveryAccount.Expected(
                                                        c.messageId(), c.detectedAtMs()))
                                .toList(),
                        arrivals,
                        "alerts"::equals));
    }
}

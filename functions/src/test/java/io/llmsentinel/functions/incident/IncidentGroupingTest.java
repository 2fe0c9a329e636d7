package io.llmsentinel.functions.incident;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.alert.AlertLinks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

public class IncidentGroupingTest {
    static final IncidentGrouping GROUPING =
            new IncidentGrouping(
                    2_000,
                    60_000,
                    new AlertLinks(
                            "https://tempo.example/trace/{trace_id}",
                            Map.of("latency_spike", "https://runbooks.example/latency")));

    public static AlertEvent alert(
            String id, AlertEvent.State state, String metric, String sev, long t) {
        AlertEvent e = new AlertEvent();
        e.alertId = id;
        e.state = state;
        e.metric = metric;
        e.anomalyType = metric.equals("latency_ms") ? "latency_spike" : "ttft_spike";
        e.severity = sev;
        e.service = "support-bot";
        e.model = "gpt-4o";
        e.provider = "openai";
        e.operation = "chat";
        e.environment = "production";
        e.eventTimeMs = t;
        e.openedAtMs = t;
        e.peakValue = 5000;
        e.exemplarTraceIds = new String[] {"trace-" + id};
        e.exemplarSpanIds = new String[] {"span-" + id};
        return e;
    }

    /** Feeds alert changes at the given wall-clock times; collects what is sent. */
    static final class Run {
        IncidentState state;
        final List<IncidentEvent> sent = new ArrayList<>();

        void alert(AlertEvent e, long now) {
            IncidentGrouping.Step s = GROUPING.onAlert(state, e, now);
            state = s.state();
            sent.addAll(s.send());
        }

        void clock(long now) {
            if (state != null) {
                sent.addAll(GROUPING.onTime(state, now));
            }
        }
    }

    @Test
    void alertsThatOpenTogetherMakeOneOpeningThatListsThemAll() {
        Run r = new Run();
        r.alert(alert("a1", AlertEvent.State.OPENED, "latency_ms", "high", 100_000), 0);
        r.alert(alert("a2", AlertEvent.State.OPENED, "ttft_ms", "medium", 100_300), 300);
        r.alert(
                alert(
                        "a3",
                        AlertEvent.State.OPENED,
                        "output_tokens_per_second",
                        "critical",
                        100_900),
                900);
        r.clock(1_999);
        assertThat(r.sent).isEmpty();
        r.clock(2_000);
        assertThat(r.sent).singleElement();
        IncidentEvent opened = r.sent.get(0);
        assertThat(opened.state).isEqualTo(IncidentEvent.State.OPENED);
        assertThat(opened.incidentId).isEqualTo("a1");
        assertThat(opened.alerts)
                .extracting(a -> a.metric)
                .containsExactly("latency_ms", "ttft_ms", "output_tokens_per_second");
        assertThat(opened.severity).isEqualTo("critical");
        assertThat(opened.title)
                .isEqualTo(
                        "support-bot: output_tokens_per_second, latency_ms, ttft_ms critical (gpt-4o)");
        assertThat(opened.exemplarTraceIds).containsExactly("trace-a3", "trace-a1", "trace-a2");
        assertThat(opened.exemplarUrls[0]).isEqualTo("https://tempo.example/trace/trace-a3");
        assertThat(opened.alerts[0].runbookUrl).isEqualTo("https://runbooks.example/latency");
        assertThat(opened.messageId()).isEqualTo("a1:opened:0");
    }

    @Test
    void laterAlertsAndEscalationsAreUpdatesAtMostOncePerInterval() {
        Run r = new Run();
        r.alert(alert("a1", AlertEvent.State.OPENED, "latency_ms", "medium", 100_000), 0);
        r.clock(2_000); // opened
        r.alert(alert("a2", AlertEvent.State.OPENED, "ttft_ms", "medium", 110_000), 10_000);
        r.alert(alert("a1", AlertEvent.State.ESCALATED, "latency_ms", "high", 115_000), 15_000);
        r.clock(61_999);
        assertThat(r.sent).extracting(e -> e.state).containsExactly(IncidentEvent.State.OPENED);
        r.clock(62_000);
        assertThat(r.sent)
                .extracting(e -> e.state + "/" + e.severity + "/" + e.alerts.length)
                .containsExactly("OPENED/medium/1", "UPDATED/high/2");
        r.clock(200_000);
        assertThat(r.sent).as("nothing changed since").hasSize(2);
    }

    @Test
    void resolvesWhenEveryAlertHasResolvedAndANewAlertStartsANewIncident() {
        Run r = new Run();
        r.alert(alert("a1", AlertEvent.State.OPENED, "latency_ms", "high", 100_000), 0);
        r.alert(alert("a2", AlertEvent.State.OPENED, "ttft_ms", "high", 100_100), 100);
        r.clock(2_000);
        r.alert(alert("a1", AlertEvent.State.RESOLVED, "latency_ms", "high", 300_000), 200_000);
        assertThat(r.sent).hasSize(1);
        r.alert(alert("a2", AlertEvent.State.RESOLVED, "ttft_ms", "high", 310_000), 210_000);
        assertThat(r.sent)
                .extracting(e -> e.state + ":" + e.incidentId)
                .containsExactly("OPENED:a1", "RESOLVED:a1");
        IncidentEvent resolved = r.sent.get(1);
        assertThat(resolved.resolvedAtMs).isEqualTo(310_000);
        assertThat(resolved.alerts).allSatisfy(a -> assertThat(a.state).isEqualTo("resolved"));
        assertThat(r.state).as("nothing kept after the resolution").isNull();

        r.alert(alert("b1", AlertEvent.State.OPENED, "latency_ms", "high", 900_000), 800_000);
        r.clock(802_000);
        assertThat(r.sent.get(2).incidentId).isEqualTo("b1");
    }

    @Test
    void anIncidentOverBeforeItsOpeningWasSentIsStillToldWhole() {
        Run r = new Run();
        r.alert(alert("a1", AlertEvent.State.OPENED, "latency_ms", "high", 100_000), 0);
        r.alert(alert("a1", AlertEvent.State.RESOLVED, "latency_ms", "high", 220_000), 500);
        assertThat(r.sent)
                .extracting(e -> e.state + "#" + e.sequence)
                .containsExactly("OPENED#0", "RESOLVED#1");
    }
}

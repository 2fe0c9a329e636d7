package io.llmsentinel.sinks;

import io.llmsentinel.functions.incident.IncidentEvent;

/**
 * The changes of one incident as the incident operator tells them, for the outputs' tests: the
 * support-bot latency incident of the demo (latency_ms and ttft_ms, then cost_usd joins and the
 * severity rises, then all resolve), with exemplar traces and a runbook.
 */
public final class Incidents {
    private Incidents() {}

    public static final long OPENED_AT = 1_764_000_000_000L;
    public static final String[] TRACES = {
        "4bf92f3577b34da6a3ce929d0e0e4736", "0af7651916cd43dd8448eb211c80319c"
    };
    public static final String RUNBOOK = "https://runbooks.example.com/llm/latency_spike";

    /** The opening: two alerts, high. */
    public static IncidentEvent opened(String id) {
        IncidentEvent e = base(id, IncidentEvent.State.OPENED, 0, "high");
        e.eventTimeMs = OPENED_AT + 30_000;
        e.alerts =
                new IncidentEvent.IncidentAlert[] {
                    alert(id + "-a", "latency_ms", "latency_spike", "high", "open", 5321.0),
                    alert(id + "-b", "ttft_ms", "ttft_spike", "medium", "open", 2210.5)
                };
        return e;
    }

    /** cost_usd joined, critical: the incident's severity rose. */
    public static IncidentEvent updated(String id) {
        IncidentEvent e = base(id, IncidentEvent.State.UPDATED, 1, "critical");
        e.eventTimeMs = OPENED_AT + 90_000;
        e.alerts =
                new IncidentEvent.IncidentAlert[] {
                    alert(id + "-a", "latency_ms", "latency_spike", "high", "open", 6120.0),
                    alert(id + "-b", "ttft_ms", "ttft_spike", "medium", "open", 2210.5),
                    alert(id + "-c", "cost_usd", "cost_anomaly", "critical", "open", 0.0412)
                };
        return e;
    }

    /** Every alert resolved. */
    public static IncidentEvent resolved(String id) {
        IncidentEvent e = updated(id);
        e.state = IncidentEvent.State.RESOLVED;
        e.sequence = 2;
        e.eventTimeMs = OPENED_AT + 720_000;
        e.resolvedAtMs = e.eventTimeMs;
        for (IncidentEvent.IncidentAlert a : e.alerts) {
            a.state = "resolved";
        }
        return e;
    }

    /** An opening at the given severity, for filters and severity mappings. */
    public static IncidentEvent opened(String id, String severity, String service) {
        IncidentEvent e = opened(id);
        e.severity = severity;
        e.service = service;
        e.title = service + ": latency_ms, ttft_ms " + severity + " (gpt-4o)";
        e.alerts[0].severity = severity;
        return e;
    }

    private static IncidentEvent base(
            String id, IncidentEvent.State state, int sequence, String severity) {
        IncidentEvent e = new IncidentEvent();
        e.incidentId = id;
        e.state = state;
        e.sequence = sequence;
        e.openedAtMs = OPENED_AT;
        e.severity = severity;
        e.service = "support-bot";
        e.model = "gpt-4o";
        e.provider = "openai";
        e.environment = "production";
        e.title = "support-bot: latency_ms, ttft_ms " + severity + " (gpt-4o)";
        e.exemplarTraceIds = TRACES.clone();
        e.exemplarSpanIds = new String[] {"00f067aa0ba902b7", "b7ad6b7169203331"};
        e.exemplarUrls =
                new String[] {
                    "https://tempo.example.com/trace/" + TRACES[0],
                    "https://tempo.example.com/trace/" + TRACES[1]
                };
        e.runbookUrl = RUNBOOK;
        return e;
    }

    private static IncidentEvent.IncidentAlert alert(
            String alertId,
            String metric,
            String type,
            String severity,
            String state,
            double peak) {
        IncidentEvent.IncidentAlert a = new IncidentEvent.IncidentAlert();
        a.alertId = alertId;
        a.metric = metric;
        a.anomalyType = type;
        a.model = "gpt-4o";
        a.provider = "openai";
        a.operation = "chat";
        a.severity = severity;
        a.state = state;
        a.openedAtMs = OPENED_AT;
        a.peakValue = peak;
        a.runbookUrl = RUNBOOK;
        return a;
    }
}

package io.llmsentinel.functions.incident;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.alert.AlertLinks;
import io.llmsentinel.functions.detect.Severity;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Alerts of one group (a service, and by configuration a model or provider; always one environment)
 * that open together become one incident, told in as few notifications as a person needs, after
 * Alertmanager's grouping:
 *
 * <ul>
 *   <li>membership follows the alerts' own event time: an alert that opens while the group has an
 *       incident with an open alert joins it; otherwise it starts a new incident, named after it;
 *   <li>{@code incident.opened} is sent {@link #groupWaitMs} of wall-clock time after the first
 *       alert, listing every alert that joined by then (alerts of one incident open within moments
 *       of each other: the same slow requests move latency, time to first token and throughput);
 *   <li>{@code incident.updated} when another alert joined or the severity rose, at most once per
 *       {@link #groupIntervalMs};
 *   <li>{@code incident.resolved} as soon as every alert of it has resolved.
 * </ul>
 *
 * Plain Java: {@code IncidentFunction} keeps the {@link IncidentState} in keyed state and sets one
 * processing-time timer at {@link #nextTimer(IncidentState)}.
 */
public final class IncidentGrouping implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long groupWaitMs;
    private final long groupIntervalMs;
    private final AlertLinks links;

    public IncidentGrouping(long groupWaitMs, long groupIntervalMs, AlertLinks links) {
        this.groupWaitMs = groupWaitMs;
        this.groupIntervalMs = groupIntervalMs;
        this.links = links;
    }

    /** The state after an alert change (null: nothing to keep) and what to send now. */
    public record Step(IncidentState state, List<IncidentEvent> send) {}

    public Step onAlert(IncidentState st, AlertEvent e, long nowMs) {
        List<IncidentEvent> send = new ArrayList<>(2);
        switch (e.state) {
            case OPENED -> {
                if (st == null || st.allResolved()) {
                    st = new IncidentState();
                    st.incidentId = e.alertId;
                    st.openedAtMs = e.eventTimeMs;
                    st.service = e.service;
                    st.model = e.model;
                    st.provider = e.provider;
                    st.environment = e.environment;
                    st.appearedAtMs = nowMs;
                }
                if (st.member(e.alertId) == null) {
                    st.members.add(member(e));
                    st.changed = true;
                }
            }
            case ESCALATED -> {
                IncidentState.Member m = st == null ? null : st.member(e.alertId);
                if (m == null) {
                    return new Step(st, send); // an alert of an incident already over
                }
                int sev = Severity.parse(e.severity).ordinal();
                if (sev > m.severity) {
                    m.severity = sev;
                    m.anomalyType = e.anomalyType;
                    st.changed = true;
                }
                m.peakValue = e.peakValue;
                exemplar(m, e);
            }
            case RESOLVED -> {
                IncidentState.Member m = st == null ? null : st.member(e.alertId);
                if (m == null) {
                    return new Step(st, send);
                }
                m.open = false;
                m.peakValue = e.peakValue;
                if (st.allResolved()) {
                    if (!st.openingSent()) {
                        send.add(event(st, IncidentEvent.State.OPENED, st.openedAtMs));
                    }
                    IncidentEvent r = event(st, IncidentEvent.State.RESOLVED, e.eventTimeMs);
                    r.resolvedAtMs = e.eventTimeMs;
                    send.add(r);
                    return new Step(null, send);
                }
            }
        }
        send.addAll(due(st, nowMs));
        return new Step(st, send);
    }

    /** Wall-clock time has reached {@code nowMs}: what is due. */
    public List<IncidentEvent> onTime(IncidentState st, long nowMs) {
        return due(st, nowMs);
    }

    /** When something may next be due, or Long.MAX_VALUE when nothing is pending. */
    public long nextTimer(IncidentState st) {
        if (!st.openingSent()) {
            return st.appearedAtMs + groupWaitMs;
        }
        return st.changed ? st.lastSentAtMs + groupIntervalMs : Long.MAX_VALUE;
    }

    private List<IncidentEvent> due(IncidentState st, long nowMs) {
        if (nowMs < nextTimer(st)) {
            return List.of();
        }
        IncidentEvent e =
                event(
                        st,
                        st.openingSent() ? IncidentEvent.State.UPDATED : IncidentEvent.State.OPENED,
                        latest(st));
        st.lastSentAtMs = nowMs;
        st.changed = false;
        return List.of(e);
    }

    private IncidentEvent event(IncidentState st, IncidentEvent.State state, long eventTimeMs) {
        IncidentEvent e = new IncidentEvent();
        e.incidentId = st.incidentId;
        e.state = state;
        e.sequence = st.sent++;
        e.eventTimeMs = eventTimeMs;
        e.openedAtMs = st.openedAtMs;
        e.service = st.service;
        e.model = st.model;
        e.provider = st.provider;
        e.environment = st.environment;
        List<IncidentState.Member> bySeverity = new ArrayList<>(st.members);
        bySeverity.sort(Comparator.comparingInt((IncidentState.Member m) -> -m.severity));
        int top = bySeverity.isEmpty() ? 0 : bySeverity.get(0).severity;
        e.severity = Severity.values()[top].label();
        e.alerts = new IncidentEvent.IncidentAlert[st.members.size()];
        for (int i = 0; i < st.members.size(); i++) {
            IncidentState.Member m = st.members.get(i);
            IncidentEvent.IncidentAlert a = new IncidentEvent.IncidentAlert();
            a.alertId = m.alertId;
            a.metric = m.metric;
            a.anomalyType = m.anomalyType;
            a.model = m.model;
            a.provider = m.provider;
            a.operation = m.operation;
            a.severity = Severity.values()[m.severity].label();
            a.state = m.open ? "open" : "resolved";
            a.openedAtMs = m.openedAtMs;
            a.peakValue = m.peakValue;
            a.runbookUrl = links.runbook(m.anomalyType, m.metric);
            e.alerts[i] = a;
        }
        List<String[]> exemplars = new ArrayList<>();
        for (IncidentState.Member m : bySeverity) {
            if (m.traceId != null && exemplars.size() < 3) {
                exemplars.add(new String[] {m.traceId, m.spanId});
            }
        }
        e.exemplarTraceIds = exemplars.stream().map(x -> x[0]).toArray(String[]::new);
        e.exemplarSpanIds = exemplars.stream().map(x -> x[1]).toArray(String[]::new);
        e.exemplarUrls =
                exemplars.stream().map(x -> links.traceUrl(x[0], x[1])).toArray(String[]::new);
        e.runbookUrl =
                bySeverity.isEmpty()
                        ? null
                        : links.runbook(bySeverity.get(0).anomalyType, bySeverity.get(0).metric);
        e.title = title(st, bySeverity);
        return e;
    }

    /** "support-bot: latency_ms, ttft_ms high (gpt-4o)". */
    private static String title(IncidentState st, List<IncidentState.Member> bySeverity) {
        Set<String> metrics = new LinkedHashSet<>();
        Set<String> models = new LinkedHashSet<>();
        for (IncidentState.Member m : bySeverity) {
            metrics.add(m.metric);
            models.add(m.model);
        }
        String sev =
                bySeverity.isEmpty() ? "" : Severity.values()[bySeverity.get(0).severity].label();
        return st.service
                + ": "
                + String.join(", ", metrics)
                + " "
                + sev
                + " ("
                + String.join(", ", models)
                + ")";
    }

    private static long latest(IncidentState st) {
        long t = st.openedAtMs;
        for (IncidentState.Member m : st.members) {
            t = Math.max(t, m.openedAtMs);
        }
        return t;
    }

    private static IncidentState.Member member(AlertEvent e) {
        IncidentState.Member m = new IncidentState.Member();
        m.alertId = e.alertId;
        m.metric = e.metric;
        m.anomalyType = e.anomalyType;
        m.model = e.model;
        m.provider = e.provider;
        m.operation = e.operation;
        m.severity = Severity.parse(e.severity).ordinal();
        m.openedAtMs = e.openedAtMs;
        m.peakValue = e.peakValue;
        exemplar(m, e);
        return m;
    }

    private static void exemplar(IncidentState.Member m, AlertEvent e) {
        if (e.exemplarTraceIds.length > 0) {
            m.traceId = e.exemplarTraceIds[0];
            m.spanId = e.exemplarSpanIds.length > 0 ? e.exemplarSpanIds[0] : null;
        }
    }
}

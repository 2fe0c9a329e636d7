package io.llmsentinel.functions.incident;

import java.util.ArrayList;
import java.util.List;

/**
 * One group's open incident, in keyed state ({@code IncidentStateSerializer}): its alerts and what
 * has been sent about it. No state while the group has no incident.
 */
public final class IncidentState {
    /** One alert of the incident. */
    public static final class Member {
        public String alertId;
        public String metric;
        public String anomalyType;
        public String model;
        public String provider;
        public String operation;

        /** Severity ordinal. */
        public int severity;

        public boolean open = true;
        public long openedAtMs;
        public double peakValue = Double.NaN;

        /** The alert's most anomalous request, if it named one. */
        public String traceId;

        public String spanId;

        Member copy() {
            Member c = new Member();
            c.alertId = alertId;
            c.metric = metric;
            c.anomalyType = anomalyType;
            c.model = model;
            c.provider = provider;
            c.operation = operation;
            c.severity = severity;
            c.open = open;
            c.openedAtMs = openedAtMs;
            c.peakValue = peakValue;
            c.traceId = traceId;
            c.spanId = spanId;
            return c;
        }
    }

    public String incidentId;
    public long openedAtMs;
    public String service;
    public String model;
    public String provider;
    public String environment;
    public List<Member> members = new ArrayList<>();

    /** Notifications sent so far (the next one's sequence). */
    public int sent;

    /** Processing time the incident appeared, and the last notification was sent. */
    public long appearedAtMs;

    public long lastSentAtMs;

    /** Whether something changed since the last notification (a new alert, a higher severity). */
    public boolean changed;

    /** The processing-time timer registered, or 0. */
    public long timerAtMs;

    public boolean openingSent() {
        return sent > 0;
    }

    public boolean allResolved() {
        return members.stream().noneMatch(m -> m.open);
    }

    public Member member(String alertId) {
        for (Member m : members) {
            if (m.alertId.equals(alertId)) {
                return m;
            }
        }
        return null;
    }

    public IncidentState copy() {
        IncidentState c = new IncidentState();
        c.incidentId = incidentId;
        c.openedAtMs = openedAtMs;
        c.service = service;
        c.model = model;
        c.provider = provider;
        c.environment = environment;
        for (Member m : members) {
            c.members.add(m.copy());
        }
        c.sent = sent;
        c.appearedAtMs = appearedAtMs;
        c.lastSentAtMs = lastSentAtMs;
        c.changed = changed;
        c.timerAtMs = timerAtMs;
        return c;
    }
}

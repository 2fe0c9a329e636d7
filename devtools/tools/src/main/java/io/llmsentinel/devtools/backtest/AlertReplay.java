package io.llmsentinel.devtools.backtest;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.alert.AlertPolicy;
import io.llmsentinel.functions.alert.AlertState;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.flink.AlertPolicyFunction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The job's alert policy over a backtest's anomalies, as {@link AlertPolicyFunction} runs it: per
 * key and metric, in event-time order, with the resolution timers firing as the watermark (the
 * newest event time less the allowed disorder) passes them, and every open alert resolved at the
 * end of the input, as Flink does when a bounded input ends.
 */
final class AlertReplay {
    private AlertReplay() {}

    /** A resolution timer of one key and metric. */
    private record Timer(long at, String key) {}

    static List<AlertEvent> run(AlertPolicy policy, List<Anomaly> anomalies, long latenessMs) {
        List<Anomaly> ordered = new ArrayList<>(anomalies);
        ordered.sort(Comparator.comparingLong(a -> a.eventTimeMs));
        Map<String, AlertState> states = new HashMap<>();
        PriorityQueue<Timer> timers = new PriorityQueue<>(Comparator.comparingLong(Timer::at));
        List<AlertEvent> out = new ArrayList<>();
        long watermark = Long.MIN_VALUE;
        for (Anomaly a : ordered) {
            watermark = Math.max(watermark, a.eventTimeMs - latenessMs);
            fire(policy, states, timers, watermark, out);
            String key = AlertPolicyFunction.alertKey(a);
            AlertPolicy.Decision d = policy.onAnomaly(states.get(key), a);
            AlertState st = d.state();
            if (st == null || d.outcome() == AlertPolicy.Outcome.WARMING_UP) {
                continue;
            }
            long due = policy.nextTimer(st);
            if (st.timerAtMs == 0 || due < st.timerAtMs) {
                st.timerAtMs = due;
                timers.add(new Timer(due, key));
            }
            states.put(key, st);
            if (d.event() != null) {
                out.add(d.event());
            }
        }
        fire(policy, states, timers, Long.MAX_VALUE, out);
        return out;
    }

    /** Fires the timers the watermark has passed, as Flink does. */
    private static void fire(
            AlertPolicy policy,
            Map<String, AlertState> states,
            PriorityQueue<Timer> timers,
            long watermark,
            List<AlertEvent> out) {
        while (!timers.isEmpty() && timers.peek().at() <= watermark) {
            Timer t = timers.poll();
            AlertState s = states.get(t.key());
            if (s == null) {
                continue;
            }
            AlertPolicy.Tick tick = policy.onTime(s, t.at());
            if (tick.resolved() != null) {
                out.add(tick.resolved());
            }
            if (!tick.keep()) {
                states.remove(t.key());
            } else if (t.at() >= s.timerAtMs) {
                s.timerAtMs = policy.nextTimer(s);
                timers.add(new Timer(s.timerAtMs, t.key()));
            }
        }
    }

    /**
     * The job's incident grouping over the alert changes, as {@code IncidentFunction} runs it, with
     * the wall clock taken as the changes' event time (a live job sees them about then).
     */
    static List<io.llmsentinel.functions.incident.IncidentEvent> incidents(
            io.llmsentinel.functions.incident.IncidentGrouping grouping, List<AlertEvent> alerts) {
        List<AlertEvent> ordered = new ArrayList<>(alerts);
        ordered.sort(Comparator.comparingLong(a -> a.eventTimeMs));
        Map<String, io.llmsentinel.functions.incident.IncidentState> states = new HashMap<>();
        List<io.llmsentinel.functions.incident.IncidentEvent> out = new ArrayList<>();
        for (AlertEvent e : ordered) {
            for (var st : new ArrayList<>(states.entrySet())) { // timers due by now
                out.addAll(grouping.onTime(st.getValue(), e.eventTimeMs));
            }
            String key = io.llmsentinel.functions.flink.IncidentFunction.groupKey(e, false, false);
            var step = grouping.onAlert(states.get(key), e, e.eventTimeMs);
            out.addAll(step.send());
            if (step.state() == null) {
                states.remove(key);
            } else {
                states.put(key, step.state());
            }
        }
        for (var st : states.values()) {
            out.addAll(grouping.onTime(st, Long.MAX_VALUE - 1));
        }
        return out;
    }
}

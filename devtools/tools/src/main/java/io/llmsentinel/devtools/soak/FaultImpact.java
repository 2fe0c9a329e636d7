package io.llmsentinel.devtools.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one fault did, as one line: what the job found while it lasted (anomalies and alert changes
 * of that event time), restarts and failed checkpoints from its start until the next fault, and per
 * output the longest time from decision to arrival of what was decided during it, and when the
 * output had it all (after the fault's end: the delay the fault caused). For the paused input also
 * what was decided in the quiet (nothing should be: event time stands still while no telemetry
 * comes), what was decided about the gap once telemetry came again (its windows are judged then:
 * every key's request rate fell to nothing, which may open alerts, and they resolve when the rate
 * is back), and when the job picked up again.
 */
final class FaultImpact {
    final FaultWindow fault;
    final int anomalies;
    final Map<String, Integer> alertChanges = new TreeMap<>();
    final long restarts;
    final long checkpointsFailed;
    final List<String> outputs = new ArrayList<>();

    /**
     * The paused input only: alert changes decided while it was paused (opening and escalation by
     * their anomaly's detection time, a resolution by its first arrival at an output).
     */
    final List<String> quietChanges = new ArrayList<>();

    /** The paused input only: alert changes of an event time in the pause, decided after it. */
    final List<String> gapChanges = new ArrayList<>();

    /** The paused input only: seconds from its end to the next anomaly; -1 if none came. */
    double pickedUpAfterS = -1;

    int alertsOpenedAfter;

    private FaultImpact(FaultWindow fault, int anomalies, long restarts, long checkpointsFailed) {
        this.fault = fault;
        this.anomalies = anomalies;
        this.restarts = restarts;
        this.checkpointsFailed = checkpointsFailed;
    }

    /**
     * @param untilMs the end of this fault's share of the run: the next fault's start, or the end
     * @param samples the periodic cluster samples, in time order
     */
    static FaultImpact of(
            FaultWindow f,
            long untilMs,
            JobRecord record,
            List<DeliveryAccount> accounts,
            List<ClusterSample> samples) {
        int anomalies =
                (int) record.anomalies.stream().filter(a -> f.contains(a.eventTimeMs())).count();
        FaultImpact i =
                new FaultImpact(
                        f,
                        anomalies,
                        counterAt(samples, untilMs, true) - counterAt(samples, f.startMs(), true),
                        counterAt(samples, untilMs, false)
                                - counterAt(samples, f.startMs(), false));
        for (JobRecord.AlertChange c : record.alerts) {
            if (f.contains(c.eventTimeMs())) {
                i.alertChanges.merge(c.state(), 1, Integer::sum);
            }
            if (f.name().equals(FaultWindow.INPUT)) {
                String change = c.state() + " " + c.service() + "/" + c.metric();
                long decided = decidedAtMs(c, accounts);
                if (decided > 0 && f.contains(decided)) {
                    i.quietChanges.add(change);
                } else if (f.contains(c.eventTimeMs())) {
                    i.gapChanges.add(change);
                }
            }
        }
        if (f.name().equals(FaultWindow.INPUT)) {
            long next =
                    record.anomalies.stream()
                            .mapToLong(JobRecord.Anomaly::eventTimeMs)
                            .filter(t -> t > f.endMs())
                            .min()
                            .orElse(-1);
            i.pickedUpAfterS = next < 0 ? -1 : (next - f.endMs()) / 1000.0;
            i.alertsOpenedAfter =
                    (int)
                            record.alerts.stream()
                                    .filter(c -> c.state().equals("opened"))
                                    .filter(c -> c.eventTimeMs() > f.endMs())
                                    .filter(c -> c.eventTimeMs() <= untilMs)
                                    .count();
        }
        for (DeliveryAccount a : accounts) {
            int decided = a.decidedBetween(f.startMs(), f.endMs());
            if (decided == 0) {
                i.outputs.add(a.output + " -");
                continue;
            }
            long max = a.maxDelayMs(f.startMs(), f.endMs());
            long last = a.lastArrivalOfDecidedBetween(f.startMs(), f.endMs());
            i.outputs.add(
                    String.format(
                            Locale.ROOT,
                            "%s %s%s",
                            a.output,
                            max < 0
                                    ? "none arrived"
                                    : String.format(Locale.ROOT, "%.1f s", max / 1000.0),
                            last > f.endMs()
                                    ? String.format(
                                            Locale.ROOT,
                                            " (all %d in %.0f s after the end)",
                                            decided,
                                            (last - f.endMs()) / 1000.0)
                                    : ""));
        }
        return i;
    }

    /**
     * When the job decided a change: its anomaly's detection time, or for a resolution (whose
     * record has no wall-clock time) its first arrival at any output; 0 if neither is known.
     */
    static long decidedAtMs(JobRecord.AlertChange c, List<DeliveryAccount> accounts) {
        if (c.detectedAtMs() > 0) {
            return c.detectedAtMs();
        }
        long first = Long.MAX_VALUE;
        for (DeliveryAccount a : accounts) {
            first = Math.min(first, a.firstArrivalMs(c.messageId()));
            first = Math.min(first, a.firstArrivalMs(c.storeId()));
        }
        return first == Long.MAX_VALUE ? 0 : first;
    }

    /** The job's restarts (or failed checkpoints) by the last sample at or before {@code t}. */
    static long counterAt(List<ClusterSample> samples, long t, boolean restarts) {
        long v = 0;
        for (ClusterSample s : samples) {
            if (s.atMs() > t) {
                break;
            }
            v = restarts ? s.restarts() : s.checkpointsFailed();
        }
        return v;
    }

    /** One line; times relative to {@code zeroMs} (the start of live traffic). */
    String line(long zeroMs) {
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        Locale.ROOT,
                        "%-11s +%4.0f s for %3.0f s: anomalies %d, alert changes %s; restarts %d,"
                                + " failed checkpoints %d",
                        fault.name(),
                        (fault.startMs() - zeroMs) / 1000.0,
                        (fault.endMs() - fault.startMs()) / 1000.0,
                        anomalies,
                        alertChanges.isEmpty() ? "none" : alertChanges.toString(),
                        restarts,
                        checkpointsFailed));
        if (fault.name().equals(FaultWindow.INPUT)) {
            b.append(
                    String.format(
                            Locale.ROOT,
                            "; decided in the quiet: %s; of the gap, decided once telemetry"
                                    + " came again: %s; picked up: %s, %d alert(s) opened after",
                            quietChanges.isEmpty() ? "nothing" : String.join(", ", quietChanges),
                            gapChanges.isEmpty() ? "nothing" : String.join(", ", gapChanges),
                            pickedUpAfterS < 0
                                    ? "NO anomaly after the pause"
                                    : String.format(
                                            Locale.ROOT,
                                            "first anomaly %.0f s after the pause",
                                            pickedUpAfterS),
                            alertsOpenedAfter));
        }
        b.append("; max delay from decision to arrival: ").append(String.join(", ", outputs));
        return b.toString();
    }
}

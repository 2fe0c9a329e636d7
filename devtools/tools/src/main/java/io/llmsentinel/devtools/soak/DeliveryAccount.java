package io.llmsentinel.devtools.soak;

import io.llmsentinel.devtools.demo.DeliveryLog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * One output's account: what the job decided it should get (by message id) against what arrived.
 * Missing: decided, never arrived. Duplicates: copies beyond the first that the job sent (a broker
 * redelivering to a consumer that lost its connection is counted apart, as redelivered). Extra:
 * arrived, never decided, e.g. a change made again differently after a restart.
 */
final class DeliveryAccount {

    /**
     * One change the output should get.
     *
     * @param decidedAtMs when the job decided it (the anomaly's {@code detected_at}), 0 if the
     *     record does not say (a resolution, an incident): no delay is measured for it
     */
    record Expected(String id, long decidedAtMs) {}

    final String output;
    private final Map<String, Expected> expected = new LinkedHashMap<>();
    private final Map<String, Long> firstArrival = new HashMap<>();
    private final Map<String, Integer> sentCopies = new HashMap<>();
    private int redelivered;
    private int rejected;

    private DeliveryAccount(String output) {
        this.output = output;
    }

    /**
     * @param arrivals what the output got, of every type: only those of {@code types} count (an
     *     endpoint that gets alerts and incidents is two accounts)
     */
    static DeliveryAccount of(
            String output,
            Collection<Expected> expected,
            List<DeliveryLog.Entry> arrivals,
            Predicate<String> types) {
        DeliveryAccount a = new DeliveryAccount(output);
        for (Expected e : expected) {
            a.expected.putIfAbsent(e.id(), e);
        }
        for (DeliveryLog.Entry d : arrivals) {
            if (DeliveryLog.REJECTED.equals(d.type())) {
                a.rejected++;
                continue;
            }
            if (!types.test(d.type())) {
                continue;
            }
            a.firstArrival.merge(d.id(), d.receivedAtMs(), Math::min);
            if (d.redelivered()) {
                a.redelivered++;
            } else {
                a.sentCopies.merge(d.id(), 1, Integer::sum);
            }
        }
        return a;
    }

    /** When {@code id} first arrived here; {@link Long#MAX_VALUE} if it never did. */
    long firstArrivalMs(String id) {
        return firstArrival.getOrDefault(id, Long.MAX_VALUE);
    }

    int expectedCount() {
        return expected.size();
    }

    int deliveredCount() {
        return (int) expected.keySet().stream().filter(firstArrival::containsKey).count();
    }

    List<String> missing() {
        return expected.keySet().stream().filter(id -> !firstArrival.containsKey(id)).toList();
    }

    /** Copies the job sent beyond the first, over all ids. */
    int duplicates() {
        return sentCopies.values().stream().mapToInt(n -> Math.max(0, n - 1)).sum();
    }

    int redelivered() {
        return redelivered;
    }

    int rejected() {
        return rejected;
    }

    List<String> extra() {
        return new ArrayList<>(
                new TreeSet<>(
                        firstArrival.keySet().stream()
                                .filter(id -> !expected.containsKey(id))
                                .toList()));
    }

    /**
     * The longest time from decision to first arrival of the changes decided in [fromMs, toMs], in
     * ms; -1 when none was decided then (or none of them arrived).
     */
    long maxDelayMs(long fromMs, long toMs) {
        long max = -1;
        for (Expected e : expected.values()) {
            Long at = firstArrival.get(e.id());
            if (at != null && e.decidedAtMs() > 0 && inside(e.decidedAtMs(), fromMs, toMs)) {
                max = Math.max(max, at - e.decidedAtMs());
            }
        }
        return max;
    }

    /** The longest decision-to-arrival time of the whole run, in ms; -1 if none. */
    long maxDelayMs() {
        return maxDelayMs(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** How many changes were decided in [fromMs, toMs] (of those with a decision time). */
    int decidedBetween(long fromMs, long toMs) {
        return (int)
                expected.values().stream()
                        .filter(e -> e.decidedAtMs() > 0 && inside(e.decidedAtMs(), fromMs, toMs))
                        .count();
    }

    /**
     * When the last of the changes decided in [fromMs, toMs] first arrived; -1 if none did. After
     * an outage: when the output had caught up with it.
     */
    long lastArrivalOfDecidedBetween(long fromMs, long toMs) {
        long last = -1;
        for (Expected e : expected.values()) {
            Long at = firstArrival.get(e.id());
            if (at != null && e.decidedAtMs() > 0 && inside(e.decidedAtMs(), fromMs, toMs)) {
                last = Math.max(last, at);
            }
        }
        return last;
    }

    private static boolean inside(long t, long from, long to) {
        return t >= from && t <= to;
    }
}

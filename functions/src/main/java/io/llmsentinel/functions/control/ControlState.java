package io.llmsentinel.functions.control;

import io.llmsentinel.functions.control.ControlCommand.InvalidCommand;
import io.llmsentinel.functions.control.ControlCommand.Type;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the control topic has put in force: silences, maintenance windows and rules, and the
 * acknowledgements and labels of alerts. Plain Java, the same in the job (rebuilt from broadcast
 * state, which keeps the commands themselves) and in the query API (rebuilt from the topic).
 * Applying the same commands in the same order gives the same state everywhere.
 */
public final class ControlState implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Acknowledgements and labels kept (the newest); older ones are forgotten. */
    public static final int MAX_LABELS = 10_000;

    private final Map<String, ControlCommand> silences = new LinkedHashMap<>();
    private final Map<String, ControlCommand> maintenances = new LinkedHashMap<>();
    private final Map<String, ControlCommand> rules = new LinkedHashMap<>();
    private final Map<String, ControlCommand> acks = new LinkedHashMap<>();
    private final Map<String, ControlCommand> labels = new LinkedHashMap<>();
    private int version;

    /** What a command did: the state key it adds (or null), the keys it removes, a summary. */
    public record Change(String put, List<String> removed, String summary) {}

    /** The key a command is kept under in broadcast state. */
    public static String stateKey(ControlCommand c) {
        return switch (c.type) {
            case ACK -> "ack:" + c.target;
            case FEEDBACK -> "label:" + c.target;
            default -> c.id;
        };
    }

    /** Applies a command; throws (changing nothing) when it refers to nothing in force. */
    public Change apply(ControlCommand c) throws InvalidCommand {
        List<String> removed = new ArrayList<>();
        String summary;
        switch (c.type) {
            case SILENCE -> {
                silences.put(c.id, c);
                summary =
                        "silence "
                                + c.id
                                + " of "
                                + describe(c.match)
                                + " until "
                                + instant(c.untilMs);
            }
            case MAINTENANCE -> {
                maintenances.put(c.id, c);
                summary =
                        "maintenance "
                                + c.id
                                + " of "
                                + describe(c.match)
                                + " from "
                                + instant(c.fromMs)
                                + " until "
                                + instant(c.untilMs)
                                + " (no alerts, baselines frozen)";
            }
            case RULE -> {
                rules.put(c.id, c);
                summary = "rule " + c.id + " for " + describe(c.match) + ": " + c.settings;
            }
            case UNSILENCE -> {
                requirePresent(silences, c.target, "silence");
                silences.remove(c.target);
                removed.add(c.target);
                summary = "silence " + c.target + " lifted";
            }
            case END_MAINTENANCE -> {
                requirePresent(maintenances, c.target, "maintenance window");
                maintenances.remove(c.target);
                removed.add(c.target);
                summary = "maintenance " + c.target + " ended";
            }
            case DELETE_RULE -> {
                requirePresent(rules, c.target, "rule");
                rules.remove(c.target);
                removed.add(c.target);
                summary = "rule " + c.target + " deleted";
            }
            case ACK -> {
                acks.put(c.target, c);
                evict(acks, "ack:", removed);
                summary = "alert " + c.target + " acknowledged by " + c.author;
            }
            case FEEDBACK -> {
                labels.put(c.target, c);
                evict(labels, "label:", removed);
                summary = "alert " + c.target + " labelled " + c.label + " by " + c.author;
            }
            default -> throw new InvalidCommand("unhandled type " + c.type);
        }
        version++;
        boolean keeps =
                c.type != Type.UNSILENCE
                        && c.type != Type.END_MAINTENANCE
                        && c.type != Type.DELETE_RULE;
        return new Change(keeps ? stateKey(c) : null, removed, summary);
    }

    /** Rebuilds a state from kept commands (any order: they are applied by time, then id). */
    public static ControlState of(Iterable<ControlCommand> kept) {
        List<ControlCommand> all = new ArrayList<>();
        kept.forEach(all::add);
        all.sort(Comparator.comparingLong((ControlCommand c) -> c.timeMs).thenComparing(c -> c.id));
        ControlState s = new ControlState();
        for (ControlCommand c : all) {
            try {
                s.apply(c);
            } catch (InvalidCommand e) {
                // only removals refer to something; they are never kept
            }
        }
        return s;
    }

    private static void requirePresent(Map<String, ControlCommand> m, String id, String what)
            throws InvalidCommand {
        if (!m.containsKey(id)) {
            throw new InvalidCommand("no " + what + " '" + id + "' is in force");
        }
    }

    private static void evict(Map<String, ControlCommand> m, String prefix, List<String> removed) {
        while (m.size() > MAX_LABELS) {
            String oldest = m.keySet().iterator().next();
            m.remove(oldest);
            removed.add(prefix + oldest);
        }
    }

    /** The silence or maintenance window that holds an alert of this key and metric back at t. */
    public ControlCommand mutedBy(
            String service,
            String model,
            String provider,
            String operation,
            String environment,
            String metric,
            long t) {
        for (Map<String, ControlCommand> m : List.of(maintenances, silences)) {
            for (ControlCommand c : m.values()) {
                if (t >= c.fromMs
                        && t < c.untilMs
                        && c.match.matches(
                                service, model, provider, operation, environment, metric)) {
                    return c;
                }
            }
        }
        return null;
    }

    /** Whether a maintenance window covers this key at t: its baselines do not learn. */
    public boolean inMaintenance(
            String service,
            String model,
            String provider,
            String operation,
            String environment,
            long t) {
        for (ControlCommand c : maintenances.values()) {
            if (t >= c.fromMs
                    && t < c.untilMs
                    && c.match.matches(service, model, provider, operation, environment, null)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The rule in force for this key and metric: the most specific match, the newest among equally
     * specific ones; null when none.
     */
    public ControlCommand ruleFor(
            String service,
            String model,
            String provider,
            String operation,
            String environment,
            String metric,
            long t) {
        ControlCommand best = null;
        for (ControlCommand c : rules.values()) {
            if (t >= c.untilMs
                    || !c.match.matches(service, model, provider, operation, environment, metric)) {
                continue;
            }
            if (best == null
                    || c.match.specificity() > best.match.specificity()
                    || c.match.specificity() == best.match.specificity()
                            && c.timeMs >= best.timeMs) {
                best = c;
            }
        }
        return best;
    }

    public boolean hasRules() {
        return !rules.isEmpty();
    }

    public boolean hasMutes() {
        return !silences.isEmpty() || !maintenances.isEmpty();
    }

    public boolean hasMaintenance() {
        return !maintenances.isEmpty();
    }

    /** The label of an alert, or null. */
    public String labelOf(String alertId) {
        ControlCommand c = labels.get(alertId);
        return c == null ? null : c.label;
    }

    public ControlCommand ackOf(String alertId) {
        return acks.get(alertId);
    }

    /** Silences in force at t (for the query API's GET). */
    public List<ControlCommand> silences(long t) {
        return active(silences, t);
    }

    public List<ControlCommand> maintenances(long t) {
        return active(maintenances, t);
    }

    public List<ControlCommand> rules(long t) {
        List<ControlCommand> out = new ArrayList<>();
        for (ControlCommand c : rules.values()) {
            if (t < c.untilMs) {
                out.add(c);
            }
        }
        return out;
    }

    public List<ControlCommand> labels() {
        return new ArrayList<>(labels.values());
    }

    private static List<ControlCommand> active(Map<String, ControlCommand> m, long t) {
        List<ControlCommand> out = new ArrayList<>();
        for (ControlCommand c : m.values()) {
            if (t < c.untilMs) {
                out.add(c);
            }
        }
        return out;
    }

    /** Changes with every applied command: a cheap way to know a cached view is stale. */
    public int version() {
        return version;
    }

    static String describe(ControlCommand.Match m) {
        List<String> parts = new ArrayList<>();
        add(parts, "service", m.service());
        add(parts, "model", m.model());
        add(parts, "provider", m.provider());
        add(parts, "operation", m.operation());
        add(parts, "environment", m.environment());
        add(parts, "metric", m.metric());
        return String.join(", ", parts);
    }

    private static void add(List<String> parts, String k, String v) {
        if (v != null) {
            parts.add(k + "=" + v);
        }
    }

    private static String instant(long ms) {
        return ms == Long.MAX_VALUE ? "forever" : java.time.Instant.ofEpochMilli(ms).toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ControlState s
                && Objects.equals(silences.keySet(), s.silences.keySet())
                && Objects.equals(maintenances.keySet(), s.maintenances.keySet())
                && Objects.equals(rules.keySet(), s.rules.keySet());
    }

    @Override
    public int hashCode() {
        return Objects.hash(silences.keySet(), maintenances.keySet(), rules.keySet());
    }
}

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
 * What the control topic has put in force: silences, maintenance windows and rules. Plain Java, the
 * same in the job (rebuilt from broadcast state, which keeps the commands themselves) and in the
 * query API (rebuilt from the topic). Applying the same commands in the same order gives the same
 * state everywhere.
 *
 * <p>Bounded: at most {@link #MAX_IN_FORCE} of each kind are in force (a further one is refused
 * until one is lifted), and silences, maintenance windows and rules whose end has passed are
 * forgotten ({@link #expire}). Acknowledgements and labels are not kept here: they are a person's
 * notes on an alert, which the query API stores in InfluxDB; the job only audits and counts them.
 * Commands of different kinds may share an id: each kind has its own key space.
 */
public final class ControlState implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Silences, maintenance windows and rules in force, each kind at most this many. */
    public static final int MAX_IN_FORCE = 1_000;

    private final Map<String, ControlCommand> silences = new LinkedHashMap<>();
    private final Map<String, ControlCommand> maintenances = new LinkedHashMap<>();
    private final Map<String, ControlCommand> rules = new LinkedHashMap<>();
    private int version;
    private transient long nextExpiryCheckMs;

    /** What a command did: the state key it adds (or null), the keys it removes, a summary. */
    public record Change(String put, List<String> removed, String summary) {}

    /**
     * The key a command is kept under in broadcast state: its kind and id ({@code silence:s-1}), so
     * a silence and a rule with the same id do not overwrite each other. Null for the commands that
     * are never kept.
     */
    public static String stateKey(ControlCommand c) {
        return switch (c.type) {
            case SILENCE, UNSILENCE -> "silence:" + (c.type == Type.SILENCE ? c.id : c.target);
            case MAINTENANCE, END_MAINTENANCE ->
                    "maintenance:" + (c.type == Type.MAINTENANCE ? c.id : c.target);
            case RULE, DELETE_RULE -> "rule:" + (c.type == Type.RULE ? c.id : c.target);
            case ACK, FEEDBACK -> null;
        };
    }

    /** Applies a command; throws (changing nothing) when it refers to nothing in force. */
    public Change apply(ControlCommand c) throws InvalidCommand {
        List<String> removed = new ArrayList<>();
        String summary;
        switch (c.type) {
            case SILENCE -> {
                putBounded(silences, c, "silences");
                summary =
                        "silence "
                                + c.id
                                + " of "
                                + describe(c.match)
                                + " until "
                                + instant(c.untilMs);
            }
            case MAINTENANCE -> {
                putBounded(maintenances, c, "maintenance windows");
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
                putBounded(rules, c, "rules");
                summary = "rule " + c.id + " for " + describe(c.match) + ": " + c.settings;
            }
            case UNSILENCE -> {
                requirePresent(silences, c.target, "silence");
                silences.remove(c.target);
                removed.add(stateKey(c));
                summary = "silence " + c.target + " lifted";
            }
            case END_MAINTENANCE -> {
                requirePresent(maintenances, c.target, "maintenance window");
                maintenances.remove(c.target);
                removed.add(stateKey(c));
                summary = "maintenance " + c.target + " ended";
            }
            case DELETE_RULE -> {
                requirePresent(rules, c.target, "rule");
                rules.remove(c.target);
                removed.add(stateKey(c));
                summary = "rule " + c.target + " deleted";
            }
            case ACK -> summary = "alert " + c.target + " acknowledged by " + c.author;
            case FEEDBACK ->
                    summary = "alert " + c.target + " labelled " + c.label + " by " + c.author;
            default -> throw new InvalidCommand("unhandled type " + c.type);
        }
        version++;
        boolean keeps = c.type == Type.SILENCE || c.type == Type.MAINTENANCE || c.type == Type.RULE;
        return new Change(keeps ? stateKey(c) : null, removed, summary);
    }

    /**
     * Forgets the silences, maintenance windows and rules that ended at or before {@code nowMs};
     * returns their state keys (for the broadcast state to drop too).
     */
    public List<String> expire(long nowMs) {
        List<String> gone = new ArrayList<>();
        for (Map<String, ControlCommand> m : List.of(silences, maintenances, rules)) {
            var it = m.values().iterator();
            while (it.hasNext()) {
                ControlCommand c = it.next();
                if (c.untilMs <= nowMs) {
                    it.remove();
                    gone.add(stateKey(c));
                }
            }
        }
        if (!gone.isEmpty()) {
            version++;
        }
        return gone;
    }

    /** As {@link #expire}, at most once every 10 s: for the per-event path. */
    public void expireIfDue(long nowMs) {
        if (nowMs >= nextExpiryCheckMs) {
            nextExpiryCheckMs = nowMs + 10_000;
            expire(nowMs);
        }
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

    private static void putBounded(Map<String, ControlCommand> m, ControlCommand c, String what)
            throws InvalidCommand {
        if (!m.containsKey(c.id) && m.size() >= MAX_IN_FORCE) {
            throw new InvalidCommand(
                    MAX_IN_FORCE
                            + " "
                            + what
                            + " are in force already; lift or delete one before adding another");
        }
        m.put(c.id, c);
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

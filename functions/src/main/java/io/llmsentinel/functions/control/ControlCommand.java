package io.llmsentinel.functions.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmsentinel.functions.detect.Metric;
import java.io.IOException;
import java.io.Serializable;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One command of the control topic ({@code sentinel.control}): JSON with an {@code id}, an {@code
 * author}, a {@code time} and a {@code type}, validated like the configuration file. Written by the
 * query API (or anyone with access to the topic), read by the job into broadcast state.
 *
 * <pre>
 * {"id":"s-1","author":"ana","time":"2026-12-02T10:00:00Z","type":"silence",
 *  "match":{"service":"support-bot","metric":"latency_ms"},"until":"2026-12-02T12:00:00Z","reason":"..."}
 * {"type":"unsilence","target":"s-1", ...}
 * {"type":"maintenance","match":{"service":"rag-api"},"from":"...","until":"...", ...}
 * {"type":"end_maintenance","target":"m-1", ...}
 * {"type":"rule","match":{"service":"batch-jobs"},"settings":{"sensitivity":"low"}, ...}
 *   settings: sensitivity (low|medium|high), zscore.threshold, iqr.k, mad.threshold, cusum.decision
 * {"type":"delete_rule","target":"r-1", ...}
 * {"type":"ack","target":"&lt;alert id&gt;","note":"...", ...}
 * {"type":"feedback","target":"&lt;alert id&gt;","label":"false_positive","match":{...},"note":"..."}
 * </pre>
 *
 * A match names at least one of service, model, provider, operation, environment, metric; what it
 * leaves out matches anything. Times are ISO-8601 instants.
 */
public final class ControlCommand implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Type {
        SILENCE,
        UNSILENCE,
        MAINTENANCE,
        END_MAINTENANCE,
        RULE,
        DELETE_RULE,
        ACK,
        FEEDBACK;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Rule settings a command may set, with what they scale or replace. */
    public static final Set<String> RULE_SETTINGS =
            Set.of("sensitivity", "zscore.threshold", "iqr.k", "mad.threshold", "cusum.decision");

    public static final Set<String> LABELS = Set.of("true_positive", "false_positive");

    /** A command larger than this is refused: every subtask keeps the ones in force. */
    public static final int MAX_BYTES = 8 * 1024;

    /** The longest note (or reason) a command may carry, as the query API enforces it. */
    public static final int MAX_NOTE_CHARS = 400;

    /** The longest author, id or match value. */
    public static final int MAX_NAME_CHARS = 128;

    public String id;
    public String author;
    public long timeMs;
    public Type type;

    /** The silence, maintenance window, rule or alert a command refers to. */
    public String target;

    public Match match;
    public long fromMs;
    public long untilMs;
    public String note;
    public String label;
    public Map<String, String> settings = new TreeMap<>();

    /** The command as read, normalized: what the broadcast state keeps and audits show. */
    public String json;

    /** A match on a key's dimensions and a metric; null fields match anything. */
    public record Match(
            String service,
            String model,
            String provider,
            String operation,
            String environment,
            String metric)
            implements Serializable {

        public boolean matches(
                String service,
                String model,
                String provider,
                String operation,
                String environment,
                String metric) {
            return eq(this.service, service)
                    && eq(this.model, model)
                    && eq(this.provider, provider)
                    && eq(this.operation, operation)
                    && eq(this.environment, environment)
                    && (this.metric == null || metric == null || this.metric.equals(metric));
        }

        /** How many fields are set: the more, the more specific (rules: most specific wins). */
        public int specificity() {
            int n = 0;
            for (String f :
                    new String[] {service, model, provider, operation, environment, metric}) {
                if (f != null) {
                    n++;
                }
            }
            return n;
        }

        private static boolean eq(String want, String have) {
            return want == null || want.equals(have);
        }
    }

    /** Thrown with the reason a command is refused; the command changes nothing. */
    public static final class InvalidCommand extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidCommand(String message) {
            super(message);
        }
    }

    /** Reads and validates one command. */
    public static ControlCommand parse(byte[] bytes) throws InvalidCommand {
        if (bytes.length > MAX_BYTES) {
            throw new InvalidCommand(
                    "a command of " + bytes.length + " bytes exceeds " + MAX_BYTES + " bytes");
        }
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new InvalidCommand("not JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw new InvalidCommand("a command is a JSON object");
        }
        ControlCommand c = new ControlCommand();
        c.id = bounded(required(n, "id"), "id", MAX_NAME_CHARS);
        c.author = bounded(required(n, "author"), "author", MAX_NAME_CHARS);
        c.timeMs = instant(n, "time", true);
        String type = required(n, "type");
        try {
            c.type = Type.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidCommand("unknown type '" + type + "'");
        }
        c.note = bounded(text(n, "note"), "note", MAX_NOTE_CHARS);
        if (c.note == null) {
            c.note = bounded(text(n, "reason"), "reason", MAX_NOTE_CHARS);
        }
        switch (c.type) {
            case SILENCE -> {
                c.match = match(n);
                c.fromMs = n.has("from") ? instant(n, "from", true) : c.timeMs;
                c.untilMs = instant(n, "until", true);
            }
            case MAINTENANCE -> {
                c.match = match(n);
                c.fromMs = instant(n, "from", true);
                c.untilMs = instant(n, "until", true);
            }
            case RULE -> {
                c.match = match(n);
                JsonNode s = n.get("settings");
                if (s == null || !s.isObject() || s.isEmpty()) {
                    throw new InvalidCommand("a rule needs 'settings'");
                }
                Iterator<Map.Entry<String, JsonNode>> it = s.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    c.settings.put(e.getKey(), validSetting(e.getKey(), e.getValue().asText()));
                }
                c.untilMs = n.has("until") ? instant(n, "until", true) : Long.MAX_VALUE;
            }
            case UNSILENCE, END_MAINTENANCE, DELETE_RULE, ACK -> c.target = required(n, "target");
            case FEEDBACK -> {
                c.target = required(n, "target");
                c.label = required(n, "label");
                if (!LABELS.contains(c.label)) {
                    throw new InvalidCommand(
                            "label must be one of " + LABELS + ", not '" + c.label + "'");
                }
                if (n.has("match")) {
                    c.match = match(n);
                }
            }
        }
        if ((c.type == Type.SILENCE || c.type == Type.MAINTENANCE) && c.untilMs <= c.fromMs) {
            throw new InvalidCommand("'until' must be after 'from'");
        }
        ObjectNode normal = n.deepCopy();
        normal.put("v", 1);
        c.json = normal.toString();
        return c;
    }

    private static String validSetting(String key, String value) throws InvalidCommand {
        if (!RULE_SETTINGS.contains(key)) {
            throw new InvalidCommand(
                    "unknown rule setting '"
                            + key
                            + "'; known: "
                            + new java.util.TreeSet<>(RULE_SETTINGS));
        }
        if (key.equals("sensitivity")) {
            String v = value.toLowerCase(Locale.ROOT);
            if (!Set.of("low", "medium", "high").contains(v)) {
                throw new InvalidCommand(
                        "sensitivity must be low, medium or high, not '" + value + "'");
            }
            return v;
        }
        double d;
        try {
            d = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new InvalidCommand("'" + key + "' must be a number, not '" + value + "'");
        }
        if (!(d > 0) || d > 1000) {
            throw new InvalidCommand("'" + key + "' must be > 0 and <= 1000, not " + value);
        }
        return Double.toString(d);
    }

    private static Match match(JsonNode n) throws InvalidCommand {
        JsonNode m = n.get("match");
        if (m == null || !m.isObject()) {
            throw new InvalidCommand("'match' is required: an object naming at least a service");
        }
        String metric = text(m, "metric");
        if (metric != null) {
            try {
                Metric.fromCode(metric);
            } catch (IllegalArgumentException e) {
                throw new InvalidCommand(e.getMessage());
            }
        }
        Match match =
                new Match(
                        bounded(text(m, "service"), "match.service", MAX_NAME_CHARS * 2),
                        bounded(text(m, "model"), "match.model", MAX_NAME_CHARS * 2),
                        bounded(text(m, "provider"), "match.provider", MAX_NAME_CHARS * 2),
                        bounded(text(m, "operation"), "match.operation", MAX_NAME_CHARS * 2),
                        bounded(text(m, "environment"), "match.environment", MAX_NAME_CHARS * 2),
                        metric);
        if (match.specificity() == 0) {
            throw new InvalidCommand("'match' must name at least one dimension or metric");
        }
        return match;
    }

    private static String bounded(String v, String field, int max) throws InvalidCommand {
        if (v != null && v.length() > max) {
            throw new InvalidCommand(
                    "'" + field + "' has " + v.length() + " characters; at most " + max);
        }
        return v;
    }

    private static String required(JsonNode n, String field) throws InvalidCommand {
        String v = text(n, field);
        if (v == null || v.isBlank()) {
            throw new InvalidCommand("'" + field + "' is required");
        }
        return v;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static long instant(JsonNode n, String field, boolean required) throws InvalidCommand {
        String v = text(n, field);
        if (v == null) {
            if (required) {
                throw new InvalidCommand("'" + field + "' is required (an ISO-8601 instant)");
            }
            return 0;
        }
        try {
            return Instant.parse(v).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new InvalidCommand("'" + field + "' is not an ISO-8601 instant: " + v);
        }
    }

    @Override
    public String toString() {
        return type.code() + " " + id + " by " + author;
    }
}

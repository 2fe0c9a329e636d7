package io.llmsentinel.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The JSON body of a write: a silence, a rule, a lift, an acknowledgement or a label. Only the
 * fields its kind knows, each a string (or an object of strings) within a bound, so what a caller
 * sends cannot grow what the control topic, the job or InfluxDB keep; anything else is a 400 naming
 * the field. The author is never taken from here: {@link #authoredBy} records the token's name.
 */
final class CommandBody {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A note or a reason: a sentence or two for the audit, not a document. */
    static final int MAX_NOTE_CHARS = 400;

    /** An author named in the body (kept as {@code on_behalf_of}) or an id. */
    static final int MAX_NAME_CHARS = 128;

    /** A value of a match: as long as a service or model name may be in a query. */
    static final int MAX_MATCH_CHARS = 200;

    static final int MAX_TIME_CHARS = 40;
    static final int MAX_SETTING_CHARS = 32;

    /** The dimensions and the metric a match may name. */
    static final Set<String> MATCH_FIELDS =
            Set.of("service", "model", "provider", "operation", "environment", "metric");

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** What each kind of write may carry. */
    enum Kind {
        SILENCE("type", "id", "author", "match", "from", "until", "reason", "note"),
        RULE("author", "match", "settings", "until", "reason", "note"),
        LIFT("author", "reason", "note"),
        ACK("author", "note"),
        FEEDBACK("author", "label", "note");

        final Set<String> fields;

        Kind(String... fields) {
            this.fields = Set.of(fields);
        }
    }

    private final ObjectNode node;

    private CommandBody(ObjectNode node) {
        this.node = node;
    }

    /** Reads and checks a body; a blank one is an empty object when {@code optional}. */
    static CommandBody read(String body, Kind kind, boolean optional) {
        if (optional && (body == null || body.isBlank())) {
            return new CommandBody(JSON.createObjectNode());
        }
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Problem(400, "Bad request", "the body is not JSON", null);
        }
        if (n == null || !n.isObject()) {
            throw new Problem(400, "Bad request", "the body must be a JSON object", null);
        }
        ObjectNode o = (ObjectNode) n;
        check(o, kind);
        return new CommandBody(o);
    }

    private static void check(ObjectNode o, Kind kind) {
        List<String> absent = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = o.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = e.getKey();
            JsonNode v = e.getValue();
            if (!kind.fields.contains(field)) {
                throw Problem.badField(
                        field,
                        "unknown field '"
                                + bounded(field)
                                + "'; allowed: "
                                + new TreeSet<>(kind.fields));
            }
            if (v.isNull()) {
                absent.add(field);
                continue;
            }
            switch (field) {
                case "match" -> checkMatch(v);
                case "settings" -> checkSettings(v);
                case "note", "reason" -> text(field, v, MAX_NOTE_CHARS);
                case "from", "until" -> text(field, v, MAX_TIME_CHARS);
                case "label" -> text(field, v, MAX_SETTING_CHARS);
                case "type" -> {
                    String t = text(field, v, MAX_SETTING_CHARS);
                    if (!t.equals("silence") && !t.equals("maintenance")) {
                        throw Problem.badField(field, "'type' is silence or maintenance");
                    }
                }
                case "id" -> {
                    if (!ID.matcher(text(field, v, MAX_NAME_CHARS)).matches()) {
                        throw Problem.badField(
                                field, "an id is 1 to 128 letters, digits, '.', '_', ':' or '-'");
                    }
                }
                default -> text(field, v, MAX_NAME_CHARS);
            }
        }
        absent.forEach(o::remove);
    }

    private static void checkMatch(JsonNode m) {
        if (!m.isObject()) {
            throw Problem.badField(
                    "match", "'match' is an object, e.g. {\"service\": \"rag-api\"}");
        }
        Iterator<Map.Entry<String, JsonNode>> it = m.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = "match." + bounded(e.getKey());
            if (!MATCH_FIELDS.contains(e.getKey())) {
                throw Problem.badField(
                        field,
                        "a match names only " + new TreeSet<>(MATCH_FIELDS) + ", not " + field);
            }
            text(field, e.getValue(), MAX_MATCH_CHARS);
        }
    }

    private static void checkSettings(JsonNode s) {
        if (!s.isObject() || s.size() > 8) {
            throw Problem.badField(
                    "settings", "'settings' is an object of a few settings, e.g. {\"iqr.k\": 2}");
        }
        Iterator<Map.Entry<String, JsonNode>> it = s.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = "settings." + bounded(e.getKey());
            if (e.getKey().length() > MAX_SETTING_CHARS) {
                throw Problem.badField(field, "no setting has a name that long");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber()) {
                text(field, v, MAX_SETTING_CHARS);
            }
        }
    }

    private static String text(String field, JsonNode v, int maxChars) {
        if (!v.isTextual()) {
            throw Problem.badField(field, "'" + field + "' must be a string");
        }
        String s = v.asText();
        if (s.length() > maxChars) {
            throw Problem.badField(
                    field,
                    "'"
                            + field
                            + "' is "
                            + s.length()
                            + " characters; at most "
                            + maxChars
                            + " are kept");
        }
        return s;
    }

    /** A field name as it may be echoed in a problem: never the whole of a long one. */
    private static String bounded(String name) {
        return name.length() <= 64 ? name : name.substring(0, 64) + "...";
    }

    /**
     * Makes the caller the author. An author the body (or the {@code author} query parameter of a
     * DELETE) names is kept as {@code on_behalf_of}, for the audit, never as the identity.
     */
    CommandBody authoredBy(Caller caller, String authorParameter) {
        String given = node.hasNonNull("author") ? node.get("author").asText() : authorParameter;
        if (given != null && given.length() > MAX_NAME_CHARS) {
            throw Problem.badParameter(
                    "author", "'author' is at most " + MAX_NAME_CHARS + " characters");
        }
        node.remove("author");
        node.put("author", caller.name());
        if (given != null && !given.isBlank() && !given.equals(caller.name())) {
            node.put("on_behalf_of", given);
        }
        return this;
    }

    /** A text field, or null. */
    String text(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    ObjectNode node() {
        return node;
    }
}

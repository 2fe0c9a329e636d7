package io.llmsentinel.sinks.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Slack refuses in an incoming-webhook message, from its documentation
 * (api.slack.com/messaging/webhooks, api.slack.com/reference/block-kit/blocks and
 * .../composition-objects, api.slack.com/reference/surfaces/formatting): a {@code text} fallback
 * string; at most 50 blocks; a header's text plain_text of 1 to 150 characters; a section with a
 * text of at most 3000 characters or 1 to 10 fields of at most 2000; a context with 1 to 10
 * elements; text objects of type plain_text or mrkdwn, {@code emoji} only on plain_text. And what
 * Slack does not refuse but would show wrong: in mrkdwn, a {@code <...>} that is neither a link to
 * an http(s) URL nor a date (an unescaped {@code <!channel>} would page a whole channel).
 */
final class SlackSchema {
    private SlackSchema() {}

    private static final Set<String> TOP =
            Set.of("text", "blocks", "attachments", "thread_ts", "mrkdwn", "unfurl_links");
    private static final Pattern ANGLE = Pattern.compile("<([^<>]*)>");

    static List<String> problems(JsonNode m) {
        List<String> p = new ArrayList<>();
        for (Iterator<String> f = m.fieldNames(); f.hasNext(); ) {
            String name = f.next();
            if (!TOP.contains(name)) {
                p.add("unknown field " + name);
            }
        }
        if (!m.path("text").isTextual() || m.path("text").asText().isBlank()) {
            p.add("no text fallback");
        } else if (!m.path("mrkdwn").isBoolean() || m.path("mrkdwn").asBoolean()) {
            angles(m.path("text").asText(), "text", p); // mrkdwn unless "mrkdwn": false
        }
        JsonNode blocks = m.path("blocks");
        if (!blocks.isArray() || blocks.isEmpty() || blocks.size() > 50) {
            p.add("blocks must be 1 to 50");
            return p;
        }
        for (JsonNode b : blocks) {
            String type = b.path("type").asText();
            switch (type) {
                case "header" -> {
                    text(b.path("text"), 150, "header", p);
                    if (!"plain_text".equals(b.path("text").path("type").asText())) {
                        p.add("a header's text must be plain_text");
                    }
                }
                case "section" -> {
                    if (b.has("text")) {
                        text(b.path("text"), 3000, "section", p);
                    } else if (b.path("fields").isArray()
                            && !b.path("fields").isEmpty()
                            && b.path("fields").size() <= 10) {
                        b.path("fields").forEach(f -> text(f, 2000, "field", p));
                    } else {
                        p.add("a section needs a text or 1 to 10 fields");
                    }
                }
                case "context" -> {
                    JsonNode el = b.path("elements");
                    if (!el.isArray() || el.isEmpty() || el.size() > 10) {
                        p.add("a context needs 1 to 10 elements");
                    } else {
                        el.forEach(e -> text(e, 3000, "context", p));
                    }
                }
                case "divider" -> {}
                default -> p.add("block type '" + type + "' is not one this check knows");
            }
        }
        return p;
    }

    private static void text(JsonNode t, int max, String where, List<String> p) {
        String type = t.path("type").asText();
        if (!type.equals("plain_text") && !type.equals("mrkdwn")) {
            p.add(where + ": text type '" + type + "'");
            return;
        }
        String s = t.path("text").asText("");
        if (s.isEmpty() || s.length() > max) {
            p.add(where + ": text of " + s.length() + " characters (1 to " + max + ")");
        }
        if (t.has("emoji") && !type.equals("plain_text")) {
            p.add(where + ": emoji is for plain_text only");
        }
        if (type.equals("mrkdwn")) {
            angles(s, where, p);
        }
    }

    private static void angles(String s, String where, List<String> p) {
        Matcher m = ANGLE.matcher(s);
        while (m.find()) {
            String inner = m.group(1);
            if (!(inner.startsWith("http://")
                    || inner.startsWith("https://")
                    || inner.startsWith("!date^"))) {
                p.add(where + ": <" + inner + "> is neither a link nor a date");
            }
        }
        String outside = ANGLE.matcher(s).replaceAll("");
        if (outside.contains("<") || outside.contains(">")) {
            p.add(where + ": an unescaped < or > in " + s);
        }
    }
}

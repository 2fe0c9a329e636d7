package io.llmsentinel.sinks.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What PagerDuty's Events API v2 refuses in an event, from its documentation
 * (developer.pagerduty.com/docs/events-api-v2/trigger-events and .../resolve-events): a {@code
 * routing_key} (here: the one the test expects); {@code event_action} trigger, acknowledge or
 * resolve; a {@code dedup_key} of at most 255 characters, required to resolve; for a trigger a
 * {@code payload} with {@code summary} (1 to 1024 characters), {@code source} and {@code severity}
 * (critical, error, warning or info), an ISO-8601 {@code timestamp} if any, {@code component},
 * {@code group} and {@code class} as strings, {@code custom_details} an object; {@code links} each
 * with an {@code href}.
 */
final class PagerDutySchema {
    private PagerDutySchema() {}

    private static final Set<String> TOP =
            Set.of(
                    "routing_key",
                    "event_action",
                    "dedup_key",
                    "payload",
                    "links",
                    "images",
                    "client",
                    "client_url");
    private static final Set<String> PAYLOAD =
            Set.of(
                    "summary",
                    "source",
                    "severity",
                    "timestamp",
                    "component",
                    "group",
                    "class",
                    "custom_details");
    static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");

    static List<String> problems(JsonNode e, String routingKey) {
        List<String> p = new ArrayList<>();
        unknown(e, TOP, "", p);
        if (!routingKey.equals(e.path("routing_key").asText(null))) {
            p.add("routing_key is not the integration's");
        }
        String action = e.path("event_action").asText("");
        if (!Set.of("trigger", "acknowledge", "resolve").contains(action)) {
            p.add("event_action '" + action + "'");
        }
        JsonNode dedup = e.path("dedup_key");
        if (!dedup.isMissingNode() && (!dedup.isTextual() || dedup.asText().length() > 255)) {
            p.add("dedup_key must be a string of at most 255 characters");
        }
        if (!action.equals("trigger")) {
            if (!dedup.isTextual()) {
                p.add(action + " needs a dedup_key");
            }
            return p;
        }
        JsonNode pl = e.path("payload");
        if (!pl.isObject()) {
            p.add("a trigger needs a payload");
            return p;
        }
        unknown(pl, PAYLOAD, "payload.", p);
        int summary = pl.path("summary").asText("").length();
        if (!pl.path("summary").isTextual() || summary < 1 || summary > 1024) {
            p.add("payload.summary of " + summary + " characters");
        }
        if (!pl.path("source").isTextual() || pl.path("source").asText().isBlank()) {
            p.add("payload.source is required");
        }
        if (!SEVERITIES.contains(pl.path("severity").asText(""))) {
            p.add("payload.severity '" + pl.path("severity").asText() + "'");
        }
        if (pl.has("timestamp")) {
            try {
                OffsetDateTime.parse(pl.path("timestamp").asText());
            } catch (DateTimeParseException ex) {
                p.add("payload.timestamp is not ISO 8601");
            }
        }
        for (String s : List.of("component", "group", "class")) {
            if (pl.has(s) && !pl.path(s).isTextual()) {
                p.add("payload." + s + " must be a string");
            }
        }
        if (pl.has("custom_details") && !pl.path("custom_details").isObject()) {
            p.add("payload.custom_details must be an object");
        }
        if (e.has("links")) {
            for (JsonNode l : e.path("links")) {
                if (!l.path("href").isTextual()) {
                    p.add("a link without href");
                }
            }
        }
        return p;
    }

    private static void unknown(JsonNode o, Set<String> known, String prefix, List<String> p) {
        for (Iterator<String> f = o.fieldNames(); f.hasNext(); ) {
            String name = f.next();
            if (!known.contains(name)) {
                p.add("unknown field " + prefix + name);
            }
        }
    }
}

package io.llmsentinel.sinks.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.llmsentinel.sinks.notification.Notification;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A change as a Slack incoming-webhook message (api.slack.com/messaging/webhooks): {@code text},
 * the one line notifications and screen readers show, and Block Kit {@code blocks}: a header with
 * what happened and the title; the severity, service, model, provider, environment and times as
 * fields; the alerts (metric, severity, state); the exemplar traces (links when a trace URL
 * template is configured, else their ids); the runbook link; the ids in a context line.
 *
 * <p>Service, model and metric names come from telemetry, so every mrkdwn text is escaped ({@code
 * &}, {@code <}, {@code >}, as Slack asks): a service named {@code <!channel>} mentions nobody.
 * Links are made only of http(s) URLs. Texts are cut to Block Kit's limits (header 150 characters,
 * section 3000, field 2000) so Slack never refuses a message for its size.
 */
final class SlackMessage {
    private static final JsonFactory JSON = new JsonFactory();
    static final int HEADER_MAX = 150;
    static final int SECTION_MAX = 3000;
    static final int FIELD_MAX = 2000;

    /** Alerts listed one per line; the rest are counted. */
    static final int ALERTS_LISTED = 10;

    private SlackMessage() {}

    static byte[] body(Notification n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("text", cut(fallback(n), SECTION_MAX));
            g.writeArrayFieldStart("blocks");
            header(g, icon(n) + " " + headline(n) + ": " + n.title());
            fields(g, facts(n));
            section(g, "*Alerts*\n" + alerts(n));
            if (!n.exemplars().isEmpty()) {
                section(g, "*Exemplar traces* (the most anomalous requests)\n" + exemplars(n));
            }
            if (n.runbookUrl() != null && !n.runbookUrl().isBlank()) {
                section(g, "*Runbook*\n" + link(n.runbookUrl(), n.runbookUrl()));
            }
            context(
                    g,
                    "LLM-Sentinel "
                            + kind(n)
                            + " `"
                            + escape(n.id())
                            + "` · change `"
                            + escape(n.messageId())
                            + "`");
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** "Incident opened", "Alert escalated", "Incident resolved". */
    static String headline(Notification n) {
        String kind = kind(n);
        return Character.toUpperCase(kind.charAt(0)) + kind.substring(1) + " " + n.action();
    }

    private static String kind(Notification n) {
        return n.kind() == Notification.Kind.INCIDENT ? "incident" : "alert";
    }

    /** The top-level text is mrkdwn as well, so it is escaped like the sections. */
    private static String fallback(Notification n) {
        return headline(n)
                + " ["
                + String.valueOf(n.severity()).toUpperCase(Locale.ROOT)
                + "]: "
                + escape(n.title());
    }

    private static String icon(Notification n) {
        if (n.resolved()) {
            return ":white_check_mark:";
        }
        return switch (n.severityLevel()) {
            case CRITICAL -> ":red_circle:";
            case HIGH -> ":large_orange_circle:";
            case MEDIUM -> ":large_yellow_circle:";
            case LOW -> ":large_blue_circle:";
        };
    }

    private static List<String> facts(Notification n) {
        List<String> f = new ArrayList<>();
        f.add("*Severity*\n" + escape(n.severity()));
        f.add("*Service*\n" + escape(n.service()));
        if (n.model() != null) {
            f.add("*Model*\n" + escape(n.model()));
        }
        if (n.provider() != null) {
            f.add("*Provider*\n" + escape(n.provider()));
        }
        if (n.environment() != null) {
            f.add("*Environment*\n" + escape(n.environment()));
        }
        if (n.openedAtMs() > 0) {
            f.add("*Opened*\n" + time(n.openedAtMs()));
        }
        if (n.resolved() && n.resolvedAtMs() > 0) {
            f.add(
                    "*Resolved*\n"
                            + time(n.resolvedAtMs())
                            + (n.openedAtMs() > 0
                                    ? " (after " + duration(n.resolvedAtMs() - n.openedAtMs()) + ")"
                                    : ""));
        }
        return f;
    }

    private static String alerts(Notification n) {
        StringBuilder s = new StringBuilder();
        int listed = 0;
        for (Notification.Alert a : n.alerts()) {
            if (listed == ALERTS_LISTED) {
                s.append("• …and ").append(n.alerts().size() - listed).append(" more\n");
                break;
            }
            s.append("• `")
                    .append(escape(a.metric()))
                    .append("` ")
                    .append(escape(a.severity()))
                    .append(", ")
                    .append(escape(a.state()));
            List<String> detail = new ArrayList<>();
            if (a.anomalyType() != null) {
                detail.add(escape(a.anomalyType()));
            }
            if (a.model() != null && !a.model().equals(n.model())) {
                detail.add(escape(a.model()));
            }
            if (!Double.isNaN(a.peakValue())) {
                detail.add("peak " + number(a.peakValue()));
            }
            if (!detail.isEmpty()) {
                s.append(" (").append(String.join(", ", detail)).append(')');
            }
            s.append('\n');
            listed++;
        }
        return s.isEmpty() ? "(none)" : s.substring(0, s.length() - 1);
    }

    private static String exemplars(Notification n) {
        StringBuilder s = new StringBuilder();
        for (Notification.Exemplar e : n.exemplars()) {
            String label = "trace " + e.traceId();
            s.append("• ")
                    .append(
                            e.url() != null
                                    ? link(e.url(), label)
                                    : "`" + escape(e.traceId()) + "`")
                    .append('\n');
        }
        return s.substring(0, s.length() - 1);
    }

    /** A mrkdwn link {@code <url|label>}; anything but an http(s) URL is shown as text. */
    static String link(String url, String label) {
        String u = url.trim();
        String lower = u.toLowerCase(Locale.ROOT);
        if (!(lower.startsWith("https://") || lower.startsWith("http://"))) {
            return "`" + escape(u) + "`";
        }
        String safe =
                u.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace(" ", "%20");
        return "<" + safe + "|" + escape(label).replace("|", "¦") + ">";
    }

    /** Slack's mrkdwn escaping: its control characters only. */
    static String escape(String s) {
        if (s == null) {
            return "-";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Slack shows the time in the reader's own zone; the ISO text is the fallback. */
    private static String time(long ms) {
        return "<!date^"
                + (ms / 1000)
                + "^{date_short_pretty} {time_secs}|"
                + Instant.ofEpochMilli(ms)
                + ">";
    }

    static String duration(long ms) {
        Duration d = Duration.ofMillis(Math.max(0, ms));
        if (d.toHours() > 0) {
            return d.toHours() + " h " + d.toMinutesPart() + " min";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + " min " + d.toSecondsPart() + " s";
        }
        return d.toSeconds() + " s";
    }

    /** Four significant digits, no exponent: 5321, 0.01234. */
    static String number(double v) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "-∞";
        }
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static void header(JsonGenerator g, String text) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "header");
        g.writeObjectFieldStart("text");
        g.writeStringField("type", "plain_text");
        g.writeStringField("text", cut(text, HEADER_MAX));
        g.writeBooleanField("emoji", true);
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void section(JsonGenerator g, String mrkdwn) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "section");
        mrkdwn(g, "text", cut(mrkdwn, SECTION_MAX));
        g.writeEndObject();
    }

    private static void fields(JsonGenerator g, List<String> fields) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "section");
        g.writeArrayFieldStart("fields");
        for (String f : fields.subList(0, Math.min(fields.size(), 10))) {
            g.writeStartObject();
            g.writeStringField("type", "mrkdwn");
            g.writeStringField("text", cut(f, FIELD_MAX));
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void context(JsonGenerator g, String mrkdwn) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "context");
        g.writeArrayFieldStart("elements");
        g.writeStartObject();
        g.writeStringField("type", "mrkdwn");
        g.writeStringField("text", cut(mrkdwn, SECTION_MAX));
        g.writeEndObject();
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void mrkdwn(JsonGenerator g, String field, String text) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeStringField("type", "mrkdwn");
        g.writeStringField("text", text);
        g.writeEndObject();
    }

    /** At most {@code max} characters, an ellipsis marking the cut. */
    static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "…";
    }
}

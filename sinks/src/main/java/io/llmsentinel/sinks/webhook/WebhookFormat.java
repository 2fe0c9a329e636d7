package io.llmsentinel.sinks.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.llmsentinel.sinks.notification.Notification;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What an endpoint speaks ({@code sinks.webhooks[].format}): the body it gets for a change and how
 * the request is made (see {@link WebhookWriter}).
 */
public enum WebhookFormat {
    /**
     * Standard Webhooks (standardwebhooks.com): {@code {"type", "timestamp", "data"}}, signed with
     * the endpoint's secrets.
     */
    STANDARD_WEBHOOKS("standard-webhooks"),
    /** A Slack incoming webhook message ({@link SlackMessage}); not signed: the URL is the key. */
    SLACK("slack"),
    /** PagerDuty Events API v2 ({@link PagerDutyEvent}); the routing key is added when sent. */
    PAGERDUTY("pagerduty");

    private static final JsonFactory JSON = new JsonFactory();

    private final String label;

    WebhookFormat(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static WebhookFormat parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        for (WebhookFormat f : values()) {
            if (f.label.equals(v)) {
                return f;
            }
        }
        throw new IllegalArgumentException(
                "format '"
                        + s
                        + "' is not one of "
                        + Arrays.stream(values())
                                .map(WebhookFormat::label)
                                .collect(Collectors.joining(", ")));
    }

    /** The body this format sends for a change: built once, kept in the backlog as it is. */
    public byte[] body(Notification n) {
        return switch (this) {
            case STANDARD_WEBHOOKS -> standardWebhooksBody(n);
            case SLACK -> SlackMessage.body(n);
            case PAGERDUTY -> PagerDutyEvent.body(n);
        };
    }

    /**
     * {@code {"type": "incident.opened", "timestamp": <ISO-8601>, "data": <the change's JSON>}}:
     * exactly these bytes are signed and sent.
     */
    static byte[] standardWebhooksBody(Notification n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(n.data().length + 96);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", n.type());
            g.writeStringField("timestamp", Instant.ofEpochMilli(n.timestampMs()).toString());
            g.writeFieldName("data");
            g.writeRawValue(new String(n.data(), StandardCharsets.UTF_8));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

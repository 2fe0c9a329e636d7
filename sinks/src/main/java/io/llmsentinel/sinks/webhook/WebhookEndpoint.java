package io.llmsentinel.sinks.webhook;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.detect.Severity;
import java.io.Serializable;
import java.util.List;
import java.util.Set;

/**
 * One webhook receiver: where to send, the secrets to sign with (several during a rotation), which
 * alerts it wants (minimum severity, default medium; services, empty means all), and how hard to
 * try: {@code timeoutMs} bounds one whole exchange (connect, headers and body), {@code
 * giveUpAfterMs} how long an alert is retried before it is dead-lettered.
 */
public record WebhookEndpoint(
        String name,
        String url,
        List<String> secrets,
        Severity minSeverity,
        Set<String> services,
        long timeoutMs,
        int maxInFlight,
        long giveUpAfterMs,
        long initialBackoffMs)
        implements Serializable {

    public WebhookEndpoint {
        if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            throw new IllegalArgumentException("webhook '" + name + "': url must be http(s)://...");
        }
        if (secrets == null || secrets.isEmpty()) {
            throw new IllegalArgumentException(
                    "webhook '" + name + "': at least one secret is needed");
        }
        secrets = List.copyOf(secrets);
        services = services == null ? Set.of() : Set.copyOf(services);
        if (timeoutMs <= 0 || maxInFlight < 1 || giveUpAfterMs < 1 || initialBackoffMs <= 0) {
            throw new IllegalArgumentException(
                    "webhook '"
                            + name
                            + "': timeout, max-in-flight, give-up-after and backoff must be"
                            + " positive");
        }
    }

    public static WebhookEndpoint of(String name, String url, List<String> secrets) {
        return new WebhookEndpoint(
                name, url, secrets, Severity.MEDIUM, Set.of(), 5_000, 16, 3_600_000, 500);
    }

    /**
     * Whether this endpoint gets an alert change: the alert is at least {@code minSeverity} (its
     * highest severity sent, so a resolution goes where its alert went) and of one of {@code
     * services}, if any are named.
     */
    public boolean wants(AlertEvent e) {
        return Severity.parse(e.severity).ordinal() >= minSeverity.ordinal()
                && (services.isEmpty() || services.contains(e.service));
    }

    /** For logs and metrics: the name and host, never the secrets or the full URL's query. */
    @Override
    public String toString() {
        return name + " (" + java.net.URI.create(url).getHost() + ")";
    }
}

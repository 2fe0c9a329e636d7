package io.llmsentinel.sinks.webhook;

import io.llmsentinel.functions.detect.Severity;
import io.llmsentinel.sinks.notification.Notification;
import java.io.Serializable;
import java.util.List;
import java.util.Set;

/**
 * One webhook receiver: where to send, in which {@link WebhookFormat}, its credentials (the secrets
 * a Standard Webhooks endpoint is signed with, several during a rotation; the routing key of a
 * PagerDuty integration; a Slack webhook's URL is its own credential), which changes it wants
 * (minimum severity, default medium; services, empty means all), and how hard to try: {@code
 * timeoutMs} bounds one whole exchange (connect, headers and body), {@code giveUpAfterMs} how long
 * a change is retried before it is dead-lettered.
 */
public record WebhookEndpoint(
        String name,
        String url,
        WebhookFormat format,
        List<String> secrets,
        String routingKey,
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
        if (format == null) {
            throw new IllegalArgumentException("webhook '" + name + "': the format must be set");
        }
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
        if (format == WebhookFormat.STANDARD_WEBHOOKS && secrets.isEmpty()) {
            throw new IllegalArgumentException(
                    "webhook '" + name + "': at least one secret is needed");
        }
        if (format != WebhookFormat.STANDARD_WEBHOOKS && !secrets.isEmpty()) {
            throw new IllegalArgumentException(
                    "webhook '"
                            + name
                            + "': a "
                            + format.label()
                            + " endpoint is not signed; secrets are for standard-webhooks");
        }
        if (format == WebhookFormat.PAGERDUTY && (routingKey == null || routingKey.isBlank())) {
            throw new IllegalArgumentException(
                    "webhook '" + name + "': a pagerduty endpoint needs its routing key");
        }
        if (format != WebhookFormat.PAGERDUTY && routingKey != null) {
            throw new IllegalArgumentException(
                    "webhook '" + name + "': a routing key is for pagerduty endpoints only");
        }
        if (format == WebhookFormat.PAGERDUTY && maxInFlight != 1) {
            throw new IllegalArgumentException(
                    "webhook '"
                            + name
                            + "': a pagerduty endpoint sends one event at a time (max-in-flight"
                            + " 1), so that a resolve never overtakes its trigger");
        }
        services = services == null ? Set.of() : Set.copyOf(services);
        if (timeoutMs <= 0 || maxInFlight < 1 || giveUpAfterMs < 1 || initialBackoffMs <= 0) {
            throw new IllegalArgumentException(
                    "webhook '"
                            + name
                            + "': timeout, max-in-flight, give-up-after and backoff must be"
                            + " positive");
        }
    }

    /** A Standard Webhooks endpoint, signed with {@code secrets}. */
    public WebhookEndpoint(
            String name,
            String url,
            List<String> secrets,
            Severity minSeverity,
            Set<String> services,
            long timeoutMs,
            int maxInFlight,
            long giveUpAfterMs,
            long initialBackoffMs) {
        this(
                name,
                url,
                WebhookFormat.STANDARD_WEBHOOKS,
                secrets,
                null,
                minSeverity,
                services,
                timeoutMs,
                maxInFlight,
                giveUpAfterMs,
                initialBackoffMs);
    }

    public static WebhookEndpoint of(String name, String url, List<String> secrets) {
        return new WebhookEndpoint(
                name, url, secrets, Severity.MEDIUM, Set.of(), 5_000, 16, 3_600_000, 500);
    }

    /**
     * Whether this endpoint gets a change: it is at least {@code minSeverity} (the highest severity
     * so far, so a resolution goes where its alert or incident went) and of one of {@code
     * services}, if any are named.
     */
    public boolean wants(Notification n) {
        return n.atLeast(minSeverity) && (services.isEmpty() || services.contains(n.service()));
    }

    /** For logs and metrics: the name, format and host, never a secret or the URL's path. */
    @Override
    public String toString() {
        return name + " (" + format.label() + ", " + java.net.URI.create(url).getHost() + ")";
    }
}

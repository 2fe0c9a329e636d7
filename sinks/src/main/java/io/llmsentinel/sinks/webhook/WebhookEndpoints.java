package io.llmsentinel.sinks.webhook;

import io.llmsentinel.functions.config.ConfigException;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.detect.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The webhook endpoints of a configuration: each entry of {@code sinks.webhooks} (name, format, url
 * or url-env, secrets, routing-key-env, min-severity, services, timeout-ms, max-in-flight,
 * give-up-after-ms, initial-backoff-ms), plus one from the environment when {@code
 * SENTINEL_WEBHOOK_URL} and {@code SENTINEL_WEBHOOK_SECRET} are set.
 *
 * <p>Credentials come from the environment, never from the file: Standard Webhooks secrets as
 * {@code ${env:NAME}} (masked in the logs, since the key says secret); the credentials whose keys
 * do not look secret only through a key naming the variable that holds them: a Slack webhook's URL
 * ({@code url-env}; {@code url} is refused for Slack) and a PagerDuty routing key ({@code
 * routing-key-env}). The logs show the variable's name, never its value.
 */
public final class WebhookEndpoints {
    private WebhookEndpoints() {}

    private static final Set<String> FIELDS =
            Set.of(
                    "name",
                    "format",
                    "url",
                    "url-env",
                    "secrets",
                    "routing-key-env",
                    "min-severity",
                    "services",
                    "timeout-ms",
                    "max-in-flight",
                    "max-attempts",
                    "give-up-after-ms",
                    "initial-backoff-ms");

    public static List<WebhookEndpoint> from(SentinelConfig c) {
        List<WebhookEndpoint> out = new ArrayList<>();
        List<Map<String, List<String>>> entries = c.webhookEntries();
        for (int i = 0; i < entries.size(); i++) {
            Map<String, List<String>> n = entries.get(i);
            String where = "'" + SentinelConfig.WEBHOOKS_KEY + "[" + i + "]'";
            for (String f : n.keySet()) {
                if (!FIELDS.contains(f)) {
                    throw new ConfigException(
                            where
                                    + " has unknown field '"
                                    + f
                                    + "'; known: "
                                    + new TreeSet<>(FIELDS));
                }
            }
            try {
                String name = one(n, "name", "webhook-" + (i + 1));
                WebhookFormat format =
                        WebhookFormat.parse(
                                one(n, "format", WebhookFormat.STANDARD_WEBHOOKS.label()));
                out.add(
                        new WebhookEndpoint(
                                name,
                                url(c, n, format),
                                format,
                                n.getOrDefault("secrets", List.of()),
                                n.containsKey("routing-key-env")
                                        ? fromEnvironment(c, n, "routing-key-env")
                                        : null,
                                Severity.parse(one(n, "min-severity", "medium")),
                                new TreeSet<>(n.getOrDefault("services", List.of())),
                                Long.parseLong(one(n, "timeout-ms", "5000")),
                                Integer.parseInt(
                                        one(
                                                n,
                                                "max-in-flight",
                                                format == WebhookFormat.STANDARD_WEBHOOKS
                                                        ? "16"
                                                        : "1")),
                                giveUpAfterMs(n, where),
                                Long.parseLong(one(n, "initial-backoff-ms", "500"))));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where + ": " + e.getMessage());
            }
        }
        String url = c.environment("SENTINEL_WEBHOOK_URL");
        String secret = c.environment("SENTINEL_WEBHOOK_SECRET");
        if (url != null && !url.isBlank()) {
            if (secret == null || secret.isBlank()) {
                throw new ConfigException(
                        "SENTINEL_WEBHOOK_URL is set but SENTINEL_WEBHOOK_SECRET (whsec_...) is not");
            }
            try {
                out.add(WebhookEndpoint.of("env", url, List.of(secret)));
                new WebhookSigner(List.of(secret));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("SENTINEL_WEBHOOK_URL/SECRET: " + e.getMessage());
            }
        }
        for (WebhookEndpoint w : out) {
            if (w.format() != WebhookFormat.STANDARD_WEBHOOKS) {
                continue;
            }
            try {
                new WebhookSigner(w.secrets());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("webhook '" + w.name() + "': " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * The endpoint's URL: {@code url}, or the value of the variable {@code url-env} names; a Slack
     * webhook's URL is its credential, so only the latter; PagerDuty's has a default.
     */
    private static String url(SentinelConfig c, Map<String, List<String>> n, WebhookFormat f) {
        if (n.containsKey("url") && n.containsKey("url-env")) {
            throw new IllegalArgumentException("give url or url-env, not both");
        }
        if (n.containsKey("url-env")) {
            return fromEnvironment(c, n, "url-env");
        }
        if (f == WebhookFormat.SLACK) {
            throw new IllegalArgumentException(
                    "a Slack webhook URL is itself the credential: put it in an environment"
                            + " variable and name that variable with url-env (the URL never goes"
                            + " in the file or the logs)");
        }
        return one(n, "url", f == WebhookFormat.PAGERDUTY ? PagerDutyEvent.DEFAULT_URL : "");
    }

    /** The value of the environment variable that {@code field} names. */
    private static String fromEnvironment(
            SentinelConfig c, Map<String, List<String>> n, String field) {
        String variable = one(n, field, "");
        String value = variable.isBlank() ? null : c.environment(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(
                    field
                            + " names environment variable '"
                            + variable
                            + "', which is not set: set it where the job runs");
        }
        return value.trim();
    }

    private static long giveUpAfterMs(Map<String, List<String>> n, String where) {
        if (n.containsKey("max-attempts")) {
            throw new ConfigException(
                    where
                            + ": max-attempts was replaced by give-up-after-ms (an alert is retried"
                            + " from a checkpointed backlog until then; default 3600000)");
        }
        return Long.parseLong(one(n, "give-up-after-ms", "3600000"));
    }

    private static String one(Map<String, List<String>> n, String field, String fallback) {
        List<String> v = n.get(field);
        return v == null || v.isEmpty() ? fallback : v.get(0);
    }
}

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
 * The webhook endpoints of a configuration: each entry of {@code sinks.webhooks} (name, url,
 * secrets, min-severity, services, timeout-ms, max-in-flight, give-up-after-ms,
 * initial-backoff-ms), plus one from the environment when {@code SENTINEL_WEBHOOK_URL} and {@code
 * SENTINEL_WEBHOOK_SECRET} are set.
 */
public final class WebhookEndpoints {
    private WebhookEndpoints() {}

    private static final Set<String> FIELDS =
            Set.of(
                    "name",
                    "url",
                    "secrets",
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
                out.add(
                        new WebhookEndpoint(
                                one(n, "name", "webhook-" + (i + 1)),
                                one(n, "url", ""),
                                n.getOrDefault("secrets", List.of()),
                                Severity.parse(one(n, "min-severity", "medium")),
                                new TreeSet<>(n.getOrDefault("services", List.of())),
                                Long.parseLong(one(n, "timeout-ms", "5000")),
                                Integer.parseInt(one(n, "max-in-flight", "16")),
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
            try {
                new WebhookSigner(w.secrets());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("webhook '" + w.name() + "': " + e.getMessage());
            }
        }
        return out;
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

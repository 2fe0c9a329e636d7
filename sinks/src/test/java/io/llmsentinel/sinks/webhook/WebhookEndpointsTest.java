package io.llmsentinel.sinks.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.detect.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookEndpointsTest {

    @TempDir Path dir;

    private Path write(String yaml) throws Exception {
        Path f = dir.resolve("sentinel.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void webhooksFromTheFileAndFromTheEnvironment() throws Exception {
        Path f =
                write(
                        "sinks:\n  webhooks:\n    - name: ops\n      url: https://hooks.example.com/x\n"
                                + "      secrets: [\"${env:HOOK_SECRET}\"]\n      min-severity: high\n"
                                + "      services: [billing]\n");
        Map<String, String> env =
                Map.of(
                        "HOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                        "SENTINEL_WEBHOOK_URL", "http://127.0.0.1:9999/hook",
                        "SENTINEL_WEBHOOK_SECRET", "whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXkh");
        SentinelConfig c = SentinelConfig.load(f, Map.of(), env::get);
        var hooks = WebhookEndpoints.from(c);

        assertThat(hooks).hasSize(2);
        assertThat(hooks.get(0).name()).isEqualTo("ops");
        assertThat(hooks.get(0).minSeverity()).isEqualTo(Severity.HIGH);
        assertThat(hooks.get(0).services()).containsExactly("billing");
        assertThat(hooks.get(0).secrets())
                .containsExactly("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assertThat(hooks.get(1).url()).isEqualTo("http://127.0.0.1:9999/hook");
        assertThat(c.describe().toString()).doesNotContain("MfKQ9r8").doesNotContain("dGhpcyBp");
    }

    @Test
    void badWebhooksAreNamed() throws Exception {
        Path f =
                write(
                        "sinks:\n  webhooks:\n    - name: ops\n      url: ftp://x\n      secrets: [whsec_AA==]\n");
        assertThatThrownBy(() -> WebhookEndpoints.from(SentinelConfig.load(f, Map.of(), n -> null)))
                .hasMessageContaining("'sinks.webhooks[0]'")
                .hasMessageContaining("url");
        Path typo =
                write(
                        "sinks:\n  webhooks:\n    - name: ops\n      url: https://x\n      secret: [whsec_AA==]\n");
        assertThatThrownBy(
                        () -> WebhookEndpoints.from(SentinelConfig.load(typo, Map.of(), n -> null)))
                .hasMessageContaining("unknown field 'secret'");
        assertThatThrownBy(
                        () ->
                                WebhookEndpoints.from(
                                        SentinelConfig.load(
                                                null,
                                                Map.of(),
                                                n ->
                                                        n.equals("SENTINEL_WEBHOOK_URL")
                                                                ? "http://127.0.0.1/h"
                                                                : null)))
                .hasMessageContaining("SENTINEL_WEBHOOK_SECRET");
    }
}

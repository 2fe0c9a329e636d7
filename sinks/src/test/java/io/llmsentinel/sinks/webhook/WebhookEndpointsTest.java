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

    @Test
    void slackAndPagerDutyTakeTheirCredentialsFromTheEnvironmentAndNeverShowThem()
            throws Exception {
        String slackUrl = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX";
        String routingKey = "R0UT1NGKEY0123456789abcdefABCDEF";
        Path f =
                write(
                        "sinks:\n  webhooks:\n"
                                + "    - name: oncall-slack\n      format: slack\n"
                                + "      url-env: SLACK_ONCALL_URL\n      min-severity: high\n"
                                + "    - name: pager\n      format: pagerduty\n"
                                + "      routing-key-env: PD_ROUTING_KEY\n"
                                + "    - name: ops\n      url: https://hooks.example.com/x\n"
                                + "      secrets: [\"${env:HOOK_SECRET}\"]\n");
        Map<String, String> env =
                Map.of(
                        "SLACK_ONCALL_URL", slackUrl,
                        "PD_ROUTING_KEY", routingKey,
                        "HOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        SentinelConfig c = SentinelConfig.load(f, Map.of(), env::get);
        var hooks = WebhookEndpoints.from(c);

        assertThat(hooks)
                .extracting(WebhookEndpoint::format)
                .containsExactly(
                        WebhookFormat.SLACK,
                        WebhookFormat.PAGERDUTY,
                        WebhookFormat.STANDARD_WEBHOOKS);
        assertThat(hooks.get(0).url()).isEqualTo(slackUrl);
        assertThat(hooks.get(0).secrets()).isEmpty();
        assertThat(hooks.get(0).minSeverity()).isEqualTo(Severity.HIGH);
        assertThat(hooks.get(0).maxInFlight()).as("in order").isEqualTo(1);
        assertThat(hooks.get(1).url()).isEqualTo("https://events.pagerduty.com/v2/enqueue");
        assertThat(hooks.get(1).routingKey()).isEqualTo(routingKey);
        assertThat(hooks.get(1).maxInFlight()).isEqualTo(1);
        assertThat(hooks.get(2).maxInFlight()).isEqualTo(16);
        String shown = c.describe().toString() + hooks;
        assertThat(shown)
                .contains("url-env=SLACK_ONCALL_URL", "routing-key-env=PD_ROUTING_KEY")
                .contains("oncall-slack (slack, hooks.slack.com)")
                .doesNotContain("XXXXsecretXXXX")
                .doesNotContain(routingKey)
                .doesNotContain("MfKQ9r8");
    }

    @Test
    void aCredentialInTheFileOrAMissingVariableIsRefusedByName() throws Exception {
        Path slackInFile =
                write(
                        "sinks:\n  webhooks:\n    - name: s\n      format: slack\n"
                                + "      url: https://hooks.slack.com/services/T/B/x\n");
        assertThatThrownBy(
                        () ->
                                WebhookEndpoints.from(
                                        SentinelConfig.load(slackInFile, Map.of(), n -> null)))
                .hasMessageContaining("'sinks.webhooks[0]'")
                .hasMessageContaining("url-env")
                .hasMessageNotContaining("hooks.slack.com/services");
        Path unset =
                write(
                        "sinks:\n  webhooks:\n    - name: p\n      format: pagerduty\n"
                                + "      routing-key-env: PD_KEY\n");
        assertThatThrownBy(
                        () ->
                                WebhookEndpoints.from(
                                        SentinelConfig.load(unset, Map.of(), n -> null)))
                .hasMessageContaining("routing-key-env")
                .hasMessageContaining("PD_KEY")
                .hasMessageContaining("not set");
        Path noKey = write("sinks:\n  webhooks:\n    - name: p\n      format: pagerduty\n");
        assertThatThrownBy(
                        () ->
                                WebhookEndpoints.from(
                                        SentinelConfig.load(noKey, Map.of(), n -> null)))
                .hasMessageContaining("routing key");
        Path signedSlack =
                write(
                        "sinks:\n  webhooks:\n    - name: s\n      format: slack\n"
                                + "      url-env: U\n      secrets: [whsec_AA==]\n");
        assertThatThrownBy(
                        () ->
                                WebhookEndpoints.from(
                                        SentinelConfig.load(
                                                signedSlack,
                                                Map.of(),
                                                n -> n.equals("U") ? "https://h/x" : null)))
                .hasMessageContaining("not signed");
        Path parallelPager =
                write(
                        "sinks:\n  webhooks:\n    - name: p\n      format: pagerduty\n"
                                + "      routing-key-env: K\n      max-in-flight: 4\n");
        assertThatThrownBy(
                        () ->
                                WebhookEndpoints.from(
                                        SentinelConfig.load(
                                                parallelPager,
                                                Map.of(),
                                                n -> n.equals("K") ? "k".repeat(32) : null)))
                .hasMessageContaining("max-in-flight 1");
        Path typo = write("sinks:\n  webhooks:\n    - name: x\n      format: teams\n");
        assertThatThrownBy(
                        () -> WebhookEndpoints.from(SentinelConfig.load(typo, Map.of(), n -> null)))
                .hasMessageContaining("'teams'")
                .hasMessageContaining("standard-webhooks, slack, pagerduty");
    }
}

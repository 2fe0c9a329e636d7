package io.llmsentinel.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.sinks.rabbitmq.RabbitMqSink;
import io.llmsentinel.sinks.webhook.WebhookSink;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which outputs get incidents and which alerts, by alerts.deliver; and the uids they keep. */
class JobIoTest {

    private static JobIo io(String deliver) {
        Map<String, String> env =
                Map.of(
                        "SENTINEL_WEBHOOK_URL", "http://127.0.0.1:9/hook",
                        "SENTINEL_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        Map<String, String> options =
                deliver == null
                        ? Map.of("sinks.rabbitmq.enabled", "true")
                        : Map.of("sinks.rabbitmq.enabled", "true", "alerts.deliver", deliver);
        return JobIo.fromConfig(SentinelConfig.load(null, options, env::get));
    }

    @Test
    void webhooksAndRabbitMqGetIncidentsByDefault() {
        JobIo io = io(null);
        assertThat(io.incidentOutputs())
                .extracting(JobIo.Output::uid)
                .containsExactly("sink-webhooks", "sink-rabbitmq");
        assertThat(io.incidentOutputs().get(0).sink()).isInstanceOf(WebhookSink.class);
        assertThat(io.incidentOutputs().get(1).sink()).isInstanceOf(RabbitMqSink.class);
        assertThat(io.alertOutputs())
                .extracting(JobIo.Output::uid)
                .as("the topic still gets every alert change")
                .contains("sink-kafka-alerts")
                .doesNotContain("sink-webhooks", "sink-rabbitmq");
    }

    /** The uids stay with the endpoints, so a savepoint's backlog restores either way. */
    @Test
    void perAlertDeliveryKeepsTheUidsAndBothGivesTheAlertsUidsOfTheirOwn() {
        JobIo alerts = io("alerts");
        assertThat(alerts.incidentOutputs()).isEmpty();
        assertThat(alerts.alertOutputs())
                .extracting(JobIo.Output::uid)
                .contains("sink-webhooks", "sink-rabbitmq");

        JobIo both = io("both");
        assertThat(both.incidentOutputs())
                .extracting(JobIo.Output::uid)
                .containsExactly("sink-webhooks", "sink-rabbitmq");
        assertThat(both.alertOutputs())
                .extracting(JobIo.Output::uid)
                .contains("sink-webhooks-alerts", "sink-rabbitmq-alerts")
                .doesNotContain("sink-webhooks", "sink-rabbitmq");
    }
}

package io.llmsentinel.sinks.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.sinks.AlertEvents;
import io.llmsentinel.sinks.Incidents;
import io.llmsentinel.sinks.notification.Notification;
import org.junit.jupiter.api.Test;

/** What each change becomes on the exchange: routing key, properties and body (no broker). */
class RabbitMqMessageTest {

    @Test
    void incidentChangesAreRoutedByChangeAndSeverity() throws Exception {
        RabbitMqWriter.Message opened =
                RabbitMqWriter.message(Notification.of(Incidents.opened("inc-1")), "alert.");
        RabbitMqWriter.Message updated =
                RabbitMqWriter.message(Notification.of(Incidents.updated("inc-1")), "alert.");
        RabbitMqWriter.Message resolved =
                RabbitMqWriter.message(Notification.of(Incidents.resolved("inc-1")), "alert.");

        assertThat(opened.routingKey()).isEqualTo("incident.opened.high");
        assertThat(updated.routingKey()).isEqualTo("incident.updated.critical");
        assertThat(resolved.routingKey()).isEqualTo("incident.resolved.critical");
        assertThat(opened.messageId()).isEqualTo("inc-1:opened:0");
        assertThat(resolved.messageId()).isEqualTo("inc-1:resolved:2");
        assertThat(opened.type()).isEqualTo("incident.opened");
        assertThat(resolved.type()).isEqualTo("incident.resolved");
        assertThat(opened.timestampMs()).isEqualTo(Incidents.OPENED_AT + 30_000);
        assertThat(opened.props().getDeliveryMode()).isEqualTo(2);
        assertThat(opened.props().getContentType()).isEqualTo("application/json");
        JsonNode body = new ObjectMapper().readTree(opened.body());
        assertThat(body.path("record_type").asText()).isEqualTo("incident");
        assertThat(body.path("incident_id").asText()).isEqualTo("inc-1");
        assertThat(body.path("alerts")).hasSize(2);
    }

    @Test
    void alertChangesKeepTheirRoutingKeysAndIds() {
        var anomaly = RabbitMqSinkITCase.anomaly(7, "High");
        RabbitMqWriter.Message opened =
                RabbitMqWriter.message(Notification.of(AlertEvents.opened(anomaly)), "alert.");
        RabbitMqWriter.Message resolved =
                RabbitMqWriter.message(Notification.of(AlertEvents.resolved(anomaly)), "alert.");
        assertThat(opened.routingKey()).isEqualTo("alert.high");
        assertThat(opened.messageId()).isEqualTo(anomaly.anomalyId);
        assertThat(opened.type()).isEqualTo("anomaly.detected");
        assertThat(opened.timestampMs()).isEqualTo(anomaly.detectedAtMs);
        assertThat(resolved.routingKey()).isEqualTo("resolved.high");
        assertThat(resolved.messageId()).isEqualTo(opened.messageId() + ":resolved");
        assertThat(resolved.type()).isEqualTo("anomaly.resolved");
    }
}

package io.llmsentinel.sinks.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.detect.Severity;
import io.llmsentinel.functions.incident.IncidentEvent;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.sinks.AlertEvents;
import io.llmsentinel.sinks.Incidents;
import io.llmsentinel.sinks.delivery.OutboxState;
import io.llmsentinel.sinks.delivery.TestBacklogs;
import io.llmsentinel.sinks.kafka.CollectingDeadLetters;
import io.llmsentinel.sinks.notification.Notification;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each webhook format, sent by the webhook writer to a local receiver that checks every body
 * against the service's documented schema and answers as the service does: Standard Webhooks
 * (signature verified by the reference library), Slack (Block Kit), PagerDuty (Events API v2).
 */
class WebhookFormatsTest {
    private static final String SECRET = WebhookSignerTest.SECRET;
    private static final String ROUTING_KEY = "R0UT1NGKEY0123456789abcdefABCDEF";

    @TempDir Path dir;

    private final List<DeadLetter> deadLetters = Collections.synchronizedList(new ArrayList<>());

    private <T> WebhookWriter<T> writer(
            Function<T, Notification> notifications,
            List<WebhookEndpoint> endpoints,
            List<OutboxState> restored)
            throws Exception {
        return new WebhookWriter<>(
                notifications,
                endpoints,
                TestBacklogs.settings("webhooks", 16),
                new CollectingDeadLetters(deadLetters),
                new UnregisteredMetricsGroup(),
                restored);
    }

    private WebhookWriter<IncidentEvent> incidents(WebhookEndpoint e) throws Exception {
        return writer(Notification::of, List.of(e), List.of());
    }

    private static WebhookEndpoint endpoint(
            String name, String url, WebhookFormat format, List<String> secrets, String key) {
        int inFlight = format == WebhookFormat.STANDARD_WEBHOOKS ? 4 : 1;
        return new WebhookEndpoint(
                name,
                url,
                format,
                secrets,
                key,
                Severity.LOW,
                Set.of(),
                5_000,
                inFlight,
                60_000,
                10);
    }

    /** An address nothing listens on: every delivery fails with a connection error (retried). */
    private static String nowhere() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort() + "/hook";
        }
    }

    /** Endpoints as the configuration makes them, with the environment the job would see. */
    private List<WebhookEndpoint> configured(String yaml, Map<String, String> env)
            throws Exception {
        Path f = dir.resolve("sentinel.yaml");
        Files.writeString(f, yaml);
        return WebhookEndpoints.from(SentinelConfig.load(f, Map.of(), env::get));
    }

    // ---- Standard Webhooks ----

    @Test
    void standardWebhooksIncidentChangesAreTypedAndSigned() throws Exception {
        List<String> badSignatures = new CopyOnWriteArrayList<>();
        try (FakeReceiver r =
                new FakeReceiver(
                        "/hook",
                        json -> List.of(), // the envelope is checked below, field by field
                        204,
                        json -> "")) {
            try (var w =
                    incidents(
                            endpoint(
                                    "ops",
                                    r.url("/hook"),
                                    WebhookFormat.STANDARD_WEBHOOKS,
                                    List.of(SECRET),
                                    null))) {
                w.write(Incidents.opened("inc-1"), null);
                w.write(Incidents.updated("inc-1"), null);
                w.write(Incidents.resolved("inc-1"), null);
                w.flush(true);
            }
            for (FakeReceiver.Received got : r.accepted) {
                try {
                    new Webhook(SECRET).verify(got.body(), got.headers());
                } catch (Exception e) {
                    badSignatures.add(got.body());
                }
            }
            assertThat(badSignatures).isEmpty();
            // Up to max-in-flight at once: in any order (the data's sequence says which is last).
            assertThat(r.accepted)
                    .extracting(
                            g ->
                                    g.headers().getFirst("webhook-id")
                                            + " "
                                            + g.json().path("type").asText()
                                            + " "
                                            + g.json().path("data").path("sequence").asInt())
                    .containsExactlyInAnyOrder(
                            "inc-1:opened:0 incident.opened 0",
                            "inc-1:updated:1 incident.updated 1",
                            "inc-1:resolved:2 incident.resolved 2");
            JsonNode opened = typed(r, "incident.opened");
            assertThat(opened.fieldNames())
                    .toIterable()
                    .containsExactly("type", "timestamp", "data");
            assertThat(Instant.parse(opened.path("timestamp").asText()).toEpochMilli())
                    .isEqualTo(Incidents.OPENED_AT + 30_000);
            JsonNode data = opened.path("data");
            assertThat(data.path("record_type").asText()).isEqualTo("incident");
            assertThat(data.path("incident_id").asText()).isEqualTo("inc-1");
            assertThat(data.path("alerts")).hasSize(2);
            assertThat(data.path("exemplars").get(0).path("url").asText())
                    .isEqualTo("https://tempo.example.com/trace/" + Incidents.TRACES[0]);
            assertThat(data.path("runbook_url").asText()).isEqualTo(Incidents.RUNBOOK);
            assertThat(typed(r, "incident.resolved").path("data").path("resolved_at").asText())
                    .isEqualTo(Instant.ofEpochMilli(Incidents.OPENED_AT + 720_000).toString());
        }
        assertThat(deadLetters).isEmpty();
    }

    private static JsonNode typed(FakeReceiver r, String type) {
        return r.accepted.stream()
                .map(FakeReceiver.Received::json)
                .filter(j -> j.path("type").asText().equals(type))
                .findFirst()
                .orElseThrow();
    }

    // ---- Slack ----

    @Test
    void slackGetsABlockKitMessageWithTheAlertsAndTheirLinks() throws Exception {
        try (FakeReceiver slack =
                new FakeReceiver("/services/T0/B0/x", SlackSchema::problems, 200, json -> "ok")) {
            List<WebhookEndpoint> endpoints =
                    configured(
                            "sinks:\n  webhooks:\n    - name: oncall-slack\n      format: slack\n"
                                    + "      url-env: SLACK_ONCALL_URL\n",
                            Map.of("SLACK_ONCALL_URL", slack.url("/services/T0/B0/x")));
            try (WebhookWriter<IncidentEvent> w =
                    writer(Notification::of, endpoints, List.<OutboxState>of())) {
                w.write(Incidents.opened("inc-2"), null);
                w.write(Incidents.updated("inc-2"), null);
                w.write(Incidents.resolved("inc-2"), null);
                w.flush(true);
            }
            assertThat(slack.refused).isEmpty();
            assertThat(slack.accepted).hasSize(3);
            assertThat(slack.accepted)
                    .allSatisfy(
                            g ->
                                    assertThat(g.headers().containsKey("webhook-signature"))
                                            .as("Slack incoming webhooks are not signed")
                                            .isFalse());
            String opened = slack.accepted.get(0).body();
            JsonNode m = slack.accepted.get(0).json();
            assertThat(m.path("text").asText())
                    .isEqualTo(
                            "Incident opened [HIGH]: support-bot: latency_ms, ttft_ms high"
                                    + " (gpt-4o)");
            assertThat(m.path("blocks").get(0).path("text").path("text").asText())
                    .startsWith(":large_orange_circle: Incident opened: support-bot");
            assertThat(opened)
                    .contains("*Severity*\\nhigh", "*Service*\\nsupport-bot", "*Model*\\ngpt-4o")
                    .contains("• `latency_ms` high, open (latency_spike, peak 5321)")
                    .contains("• `ttft_ms` medium, open (ttft_spike, peak 2211)")
                    .contains(
                            "<https://tempo.example.com/trace/"
                                    + Incidents.TRACES[0]
                                    + "|trace "
                                    + Incidents.TRACES[0]
                                    + ">")
                    .contains("<" + Incidents.RUNBOOK + "|" + Incidents.RUNBOOK + ">");
            assertThat(slack.accepted.get(1).json().path("text").asText())
                    .startsWith("Incident updated [CRITICAL]");
            assertThat(slack.accepted.get(1).body()).contains("`cost_usd` critical, open");
            String resolved = slack.accepted.get(2).body();
            assertThat(slack.accepted.get(2).json().path("text").asText())
                    .startsWith("Incident resolved");
            assertThat(resolved)
                    .contains(":white_check_mark: Incident resolved")
                    .contains("(after 12 min 0 s)")
                    .contains("`latency_ms` high, resolved");
        }
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void slackShowsTraceIdsWithoutATraceUrlAndEscapesWhatTelemetrySays() throws Exception {
        IncidentEvent e = Incidents.opened("inc-3");
        e.service = "<!channel> & friends";
        e.title = e.service + ": latency_ms high";
        e.exemplarUrls = new String[0];
        e.runbookUrl = "javascript:alert(1)";
        e.alerts[0].metric = "latency_ms<@U123>";
        try (FakeReceiver slack =
                new FakeReceiver("/s", SlackSchema::problems, 200, json -> "ok")) {
            try (var w =
                    incidents(endpoint("s", slack.url("/s"), WebhookFormat.SLACK, null, null))) {
                w.write(e, null);
                w.flush(true);
            }
            assertThat(slack.refused).isEmpty();
            String body = slack.accepted.get(0).body();
            JsonNode m = slack.accepted.get(0).json();
            assertThat(m.path("text").asText())
                    .as("the fallback text is mrkdwn as well")
                    .contains("&lt;!channel&gt; &amp; friends");
            assertThat(m.path("blocks").get(0).path("text").path("text").asText())
                    .as("a plain_text header shows it as it is, mentioning nobody")
                    .contains("<!channel> & friends");
            assertThat(body)
                    .contains("*Service*\\n&lt;!channel&gt; &amp; friends")
                    .contains("`latency_ms&lt;@U123&gt;`")
                    .contains("• `" + Incidents.TRACES[0] + "`")
                    .contains("`javascript:alert(1)`")
                    .doesNotContain("<javascript:");
        }
    }

    @Test
    void aLongIncidentStaysWithinSlacksLimits() throws Exception {
        IncidentEvent e = Incidents.opened("inc-4");
        e.title = "x".repeat(400);
        IncidentEvent.IncidentAlert[] many = new IncidentEvent.IncidentAlert[40];
        for (int i = 0; i < many.length; i++) {
            many[i] = Incidents.opened("i").alerts[0];
            many[i].metric = "metric_with_a_rather_long_name_" + "y".repeat(100) + i;
        }
        e.alerts = many;
        JsonNode m = FakeReceiver.JSON.readTree(SlackMessage.body(Notification.of(e)));
        assertThat(SlackSchema.problems(m)).isEmpty();
        assertThat(m.toString()).contains("…and 30 more");
    }

    // ---- PagerDuty ----

    @Test
    void pagerDutyIsTriggeredUpdatedAndResolvedUnderOneDedupKey() throws Exception {
        try (FakeReceiver pd =
                new FakeReceiver(
                        "/v2/enqueue",
                        json -> PagerDutySchema.problems(json, ROUTING_KEY),
                        202,
                        json ->
                                "{\"status\":\"success\",\"message\":\"Event processed\","
                                        + "\"dedup_key\":\""
                                        + json.path("dedup_key").asText()
                                        + "\"}")) {
            List<WebhookEndpoint> endpoints =
                    configured(
                            "sinks:\n  webhooks:\n    - name: pager\n      format: pagerduty\n"
                                    + "      routing-key-env: PD_ROUTING_KEY\n"
                                    + "      url: "
                                    + pd.url("/v2/enqueue")
                                    + "\n      min-severity: high\n",
                            Map.of("PD_ROUTING_KEY", ROUTING_KEY));
            try (WebhookWriter<IncidentEvent> w =
                    writer(Notification::of, endpoints, List.<OutboxState>of())) {
                w.write(Incidents.opened("inc-5"), null);
                w.write(Incidents.updated("inc-5"), null);
                w.write(Incidents.resolved("inc-5"), null);
                w.flush(true);
            }
            assertThat(pd.refused).isEmpty();
            assertThat(pd.accepted)
                    .extracting(g -> g.json().path("event_action").asText())
                    .containsExactly("trigger", "trigger", "resolve");
            assertThat(pd.accepted)
                    .extracting(g -> g.json().path("dedup_key").asText())
                    .containsOnly("inc-5");
            assertThat(pd.accepted)
                    .extracting(g -> g.json().path("routing_key").asText())
                    .containsOnly(ROUTING_KEY);
            JsonNode trigger = pd.accepted.get(0).json();
            JsonNode p = trigger.path("payload");
            assertThat(p.path("summary").asText())
                    .isEqualTo("support-bot: latency_ms, ttft_ms high (gpt-4o)");
            assertThat(p.path("severity").asText()).isEqualTo("error");
            assertThat(p.path("source").asText()).isEqualTo("support-bot");
            assertThat(p.path("component").asText()).isEqualTo("support-bot");
            assertThat(p.path("group").asText()).isEqualTo("gpt-4o");
            assertThat(p.path("class").asText()).isEqualTo("latency_spike");
            assertThat(Instant.parse(p.path("timestamp").asText()).toEpochMilli())
                    .isEqualTo(Incidents.OPENED_AT + 30_000);
            JsonNode details = p.path("custom_details");
            assertThat(details.path("incident_id").asText()).isEqualTo("inc-5");
            assertThat(details.path("alerts")).hasSize(2);
            assertThat(details.path("alerts").get(0).path("metric").asText())
                    .isEqualTo("latency_ms");
            assertThat(details.path("exemplars").get(1).path("trace_id").asText())
                    .isEqualTo(Incidents.TRACES[1]);
            assertThat(details.path("runbook_url").asText()).isEqualTo(Incidents.RUNBOOK);
            assertThat(trigger.path("links"))
                    .extracting(l -> l.path("href").asText())
                    .containsExactly(
                            "https://tempo.example.com/trace/" + Incidents.TRACES[0],
                            "https://tempo.example.com/trace/" + Incidents.TRACES[1],
                            Incidents.RUNBOOK);
            JsonNode update = pd.accepted.get(1).json().path("payload");
            assertThat(update.path("severity").asText()).isEqualTo("critical");
            assertThat(update.path("class").asText())
                    .as("the anomaly type of the most severe alert")
                    .isEqualTo("cost_anomaly");
        }
        assertThat(deadLetters).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"critical,critical", "high,error", "medium,warning", "low,info"})
    void pagerDutySeverities(String ours, String theirs) throws Exception {
        JsonNode event =
                FakeReceiver.JSON.readTree(
                        PagerDutyEvent.withRoutingKey(
                                WebhookFormat.PAGERDUTY.body(
                                        Notification.of(
                                                Incidents.opened("s", ours, "support-bot"))),
                                ROUTING_KEY));
        assertThat(PagerDutySchema.problems(event, ROUTING_KEY)).isEmpty();
        assertThat(event.path("payload").path("severity").asText()).isEqualTo(theirs);
    }

    /**
     * The routing key is added when the event is sent: neither the checkpointed backlog (here of a
     * PagerDuty that is away) nor a dead letter (here PagerDuty refuses the event: not the
     * integration's key) holds it.
     */
    @Test
    void theRoutingKeyIsNeitherCheckpointedNorDeadLettered() throws Exception {
        WebhookEndpoint away =
                endpoint("pager", nowhere(), WebhookFormat.PAGERDUTY, null, ROUTING_KEY);
        try (var w = incidents(away)) {
            w.write(Incidents.opened("inc-6"), null);
            assertThat(w.snapshotState(1))
                    .singleElement()
                    .satisfies(
                            s -> {
                                assertThat(s.name()).isEqualTo("webhook:pager:pagerduty");
                                assertThat(s.items()).hasSize(1);
                                assertThat(
                                                new String(
                                                        s.items().get(0).bytes(),
                                                        StandardCharsets.UTF_8))
                                        .contains("\"dedup_key\":\"inc-6\"")
                                        .doesNotContain(ROUTING_KEY);
                            });
        }
        assertThat(away.toString()).isEqualTo("pager (pagerduty, 127.0.0.1)");
        try (FakeReceiver pd =
                new FakeReceiver(
                        "/v2/enqueue",
                        json -> PagerDutySchema.problems(json, "another-integrations-key"),
                        202,
                        json -> "{}")) {
            try (var w =
                    incidents(
                            endpoint(
                                    "pager",
                                    pd.url("/v2/enqueue"),
                                    WebhookFormat.PAGERDUTY,
                                    null,
                                    ROUTING_KEY))) {
                w.write(Incidents.opened("inc-6"), null);
                w.flush(true);
            }
            assertThat(pd.refused).singleElement().asString().contains("routing_key");
        }
        assertThat(deadLetters)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.detail).contains("HTTP 400").contains("inc-6:opened:0");
                            assertThat(d.detail).doesNotContain(ROUTING_KEY);
                            assertThat(new String(d.payload, StandardCharsets.UTF_8))
                                    .contains("\"event_action\":\"trigger\"")
                                    .doesNotContain(ROUTING_KEY);
                        });
    }

    // ---- per-alert delivery, and what a restore finds ----

    @Test
    void perAlertDeliveryInSlackAndPagerDuty() throws Exception {
        var anomaly = WebhookWriterTest.alert("anom-1", "critical", "billing");
        anomaly.model = "claude-sonnet";
        AlertEvent opened = AlertEvents.opened(anomaly);
        AlertEvent resolved = AlertEvents.resolved(anomaly);
        try (FakeReceiver pd =
                        new FakeReceiver(
                                "/pd",
                                json -> PagerDutySchema.problems(json, ROUTING_KEY),
                                202,
                                json -> "{}");
                FakeReceiver slack =
                        new FakeReceiver("/slack", SlackSchema::problems, 200, json -> "ok")) {
            List<WebhookEndpoint> endpoints =
                    List.of(
                            endpoint(
                                    "pd",
                                    pd.url("/pd"),
                                    WebhookFormat.PAGERDUTY,
                                    null,
                                    ROUTING_KEY),
                            endpoint(
                                    "slack", slack.url("/slack"), WebhookFormat.SLACK, null, null));
            try (WebhookWriter<AlertEvent> w =
                    writer(Notification::of, endpoints, List.<OutboxState>of())) {
                w.write(opened, null);
                w.write(resolved, null);
                w.flush(true);
            }
            assertThat(pd.refused).isEmpty();
            assertThat(slack.refused).isEmpty();
            assertThat(pd.accepted)
                    .extracting(
                            g ->
                                    g.json().path("event_action").asText()
                                            + " "
                                            + g.json().path("dedup_key").asText())
                    .containsExactly("trigger " + opened.alertId, "resolve " + opened.alertId);
            assertThat(pd.accepted.get(0).json().path("payload").path("summary").asText())
                    .isEqualTo("billing: latency_ms critical (claude-sonnet)");
            assertThat(slack.accepted)
                    .extracting(g -> g.json().path("text").asText())
                    .containsExactly(
                            "Alert opened [CRITICAL]: billing: latency_ms critical (claude-sonnet)",
                            "Alert resolved [CRITICAL]: billing: latency_ms critical"
                                    + " (claude-sonnet)");
        }
        assertThat(deadLetters).isEmpty();
    }

    /**
     * A backlog checkpointed while webhooks got alerts is delivered, as it was rendered, by the
     * incident sink that restores it (alerts.deliver changed from alerts to incidents).
     */
    @Test
    void aBacklogOfAlertsIsDeliveredByTheIncidentSinkThatRestoresIt() throws Exception {
        List<OutboxState> state;
        WebhookEndpoint away =
                endpoint("ops", nowhere(), WebhookFormat.STANDARD_WEBHOOKS, List.of(SECRET), null);
        try (WebhookWriter<AlertEvent> w =
                writer(Notification::of, List.of(away), List.<OutboxState>of())) {
            w.write(AlertEvents.opened(WebhookWriterTest.alert("kept-1", "high", "svc")), null);
            state = w.snapshotState(3);
        }
        try (FakeReceiver r = new FakeReceiver("/hook", json -> List.of(), 200, json -> "")) {
            WebhookEndpoint back =
                    endpoint(
                            "ops",
                            r.url("/hook"),
                            WebhookFormat.STANDARD_WEBHOOKS,
                            List.of(SECRET),
                            null);
            try (WebhookWriter<IncidentEvent> w = writer(Notification::of, List.of(back), state)) {
                w.write(Incidents.opened("inc-7"), null);
                w.flush(true);
            }
            assertThat(r.accepted)
                    .extracting(g -> g.headers().getFirst("webhook-id"))
                    .containsExactlyInAnyOrder("kept-1", "inc-7:opened:0");
            assertThat(r.accepted)
                    .extracting(g -> g.json().path("type").asText())
                    .containsExactlyInAnyOrder("anomaly.detected", "incident.opened");
        }
        assertThat(deadLetters).isEmpty();
    }

    /**
     * An endpoint whose format changed across a restore never gets bodies rendered for the old one:
     * they go to the dead-letter topic, and new changes reach it in its new format.
     */
    @Test
    void aBacklogRenderedForAnotherFormatIsDeadLetteredNotSent() throws Exception {
        List<OutboxState> state;
        try (var w =
                incidents(
                        endpoint(
                                "team",
                                nowhere(),
                                WebhookFormat.STANDARD_WEBHOOKS,
                                List.of(SECRET),
                                null))) {
            w.write(Incidents.opened("inc-8"), null);
            state = w.snapshotState(4);
        }
        try (FakeReceiver slack =
                new FakeReceiver("/slack", SlackSchema::problems, 200, json -> "ok")) {
            try (WebhookWriter<IncidentEvent> w =
                    writer(
                            Notification::of,
                            List.of(
                                    endpoint(
                                            "team",
                                            slack.url("/slack"),
                                            WebhookFormat.SLACK,
                                            null,
                                            null)),
                            state)) {
                w.write(Incidents.updated("inc-8"), null);
                w.flush(true);
            }
            assertThat(slack.refused).isEmpty();
            assertThat(slack.accepted)
                    .singleElement()
                    .satisfies(
                            g ->
                                    assertThat(g.json().path("text").asText())
                                            .startsWith("Incident updated"));
        }
        assertThat(deadLetters)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.detail).contains("no longer in this format");
                            assertThat(new String(d.payload, StandardCharsets.UTF_8))
                                    .startsWith("{\"type\":\"incident.opened\"");
                        });
    }

    /** A change that cannot be rendered (a bug upstream) is skipped: the task goes on. */
    @Test
    void aChangeThatCannotBeRenderedIsSkippedNotATaskFailure() throws Exception {
        IncidentEvent broken = Incidents.opened("inc-9");
        broken.state = null;
        try (FakeReceiver slack =
                new FakeReceiver("/s", SlackSchema::problems, 200, json -> "ok")) {
            try (var w =
                    incidents(endpoint("s", slack.url("/s"), WebhookFormat.SLACK, null, null))) {
                w.write(broken, null);
                w.write(Incidents.opened("inc-10"), null);
                w.flush(true);
            }
            assertThat(slack.accepted)
                    .singleElement()
                    .satisfies(g -> assertThat(g.body()).contains("inc-10:opened:0"));
        }
        assertThat(deadLetters).isEmpty();
    }

    // ---- the checks themselves can fail ----

    @Test
    void theSchemasRefuseWhatTheServicesRefuse() throws Exception {
        JsonNode noFallback =
                FakeReceiver.JSON.readTree(
                        "{\"blocks\":[{\"type\":\"header\",\"text\":{\"type\":\"mrkdwn\","
                                + "\"text\":\"x\"}},{\"type\":\"section\",\"text\":{\"type\":"
                                + "\"mrkdwn\",\"text\":\"<!channel> look\"}}]}");
        assertThat(SlackSchema.problems(noFallback))
                .anyMatch(p -> p.contains("no text fallback"))
                .anyMatch(p -> p.contains("plain_text"))
                .anyMatch(p -> p.contains("<!channel>"));
        JsonNode bad =
                FakeReceiver.JSON.readTree(
                        "{\"routing_key\":\""
                                + ROUTING_KEY
                                + "\",\"event_action\":\"trigger\",\"payload\":{\"summary\":\"\","
                                + "\"severity\":\"high\",\"source\":\"x\"}}");
        assertThat(PagerDutySchema.problems(bad, ROUTING_KEY))
                .anyMatch(p -> p.contains("summary"))
                .anyMatch(p -> p.contains("severity 'high'"));
        JsonNode resolveWithoutKey =
                FakeReceiver.JSON.readTree(
                        "{\"routing_key\":\"" + ROUTING_KEY + "\",\"event_action\":\"resolve\"}");
        assertThat(PagerDutySchema.problems(resolveWithoutKey, ROUTING_KEY))
                .anyMatch(p -> p.contains("dedup_key"));
    }
}

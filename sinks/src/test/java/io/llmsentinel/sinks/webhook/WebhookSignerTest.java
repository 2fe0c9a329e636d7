package io.llmsentinel.sinks.webhook;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Our signatures checked by an independent implementation, the Standard Webhooks library. */
class WebhookSignerTest {
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String OTHER = "whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXkh";

    static Map<String, List<String>> headers(String id, long ts, String signature) {
        return Map.of(
                "webhook-id", List.of(id),
                "webhook-timestamp", List.of(Long.toString(ts)),
                "webhook-signature", List.of(signature));
    }

    @Test
    void signatureVerifiesWithTheReferenceLibrary() {
        String body = "{\"type\":\"anomaly.detected\",\"data\":{\"anomaly_id\":\"a1\"}}";
        long ts = Instant.now().getEpochSecond();
        String sig =
                new WebhookSigner(List.of(SECRET))
                        .sign("a1", ts, body.getBytes(StandardCharsets.UTF_8));

        assertThatCode(() -> new Webhook(SECRET).verify(body, headers("a1", ts, sig)))
                .doesNotThrowAnyException();
    }

    @Test
    void tamperedBodyWrongSecretAndStaleTimestampAreRejected() {
        String body = "{\"x\":1}";
        long ts = Instant.now().getEpochSecond();
        String sig =
                new WebhookSigner(List.of(SECRET))
                        .sign("a1", ts, body.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> new Webhook(SECRET).verify("{\"x\":2}", headers("a1", ts, sig)))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> new Webhook(OTHER).verify(body, headers("a1", ts, sig)))
                .isInstanceOf(WebhookVerificationException.class);
        long stale = ts - 3600;
        String staleSig =
                new WebhookSigner(List.of(SECRET))
                        .sign("a1", stale, body.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> new Webhook(SECRET).verify(body, headers("a1", stale, staleSig)))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void duringRotationEitherSecretVerifies() {
        String body = "{}";
        long ts = Instant.now().getEpochSecond();
        String sig =
                new WebhookSigner(List.of(SECRET, OTHER))
                        .sign("id", ts, body.getBytes(StandardCharsets.UTF_8));
        assertThatCode(() -> new Webhook(SECRET).verify(body, headers("id", ts, sig)))
                .doesNotThrowAnyException();
        assertThatCode(() -> new Webhook(OTHER).verify(body, headers("id", ts, sig)))
                .doesNotThrowAnyException();
    }
}

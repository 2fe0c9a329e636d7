package io.llmsentinel.sinks.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures (standardwebhooks.com): {@code v1,} followed by the base64
 * HMAC-SHA256, keyed with the base64-decoded secret (after its {@code whsec_} prefix), of {@code
 * id.timestamp.body}, the body being exactly the bytes sent. With several secrets (a rotation) the
 * signatures are separated by spaces, and a receiver accepts any of them.
 */
public final class WebhookSigner {
    private static final String PREFIX = "whsec_";

    private final List<byte[]> keys = new ArrayList<>();

    public WebhookSigner(List<String> secrets) {
        for (String s : secrets) {
            String b64 = s.startsWith(PREFIX) ? s.substring(PREFIX.length()) : s;
            try {
                keys.add(Base64.getDecoder().decode(b64));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a webhook secret is not whsec_<base64>");
            }
        }
    }

    /** The {@code webhook-signature} header value for one delivery attempt. */
    public String sign(String id, long timestampSeconds, byte[] body) {
        byte[] prefix = (id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (byte[] key : keys) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                mac.update(prefix);
                mac.update(body);
                if (out.length() > 0) {
                    out.append(' ');
                }
                out.append("v1,").append(Base64.getEncoder().encodeToString(mac.doFinal()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
            }
        }
        return out.toString();
    }
}

package io.llmsentinel.functions.anomaly;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic anomaly ids: the first 128 bits of SHA-256 over the key, metric, event time,
 * detectors and (when known) the span, so a replay of the same input gives the same id and every
 * sink can deduplicate on it.
 */
public final class AnomalyIds {
    private AnomalyIds() {}

    public static String of(Anomaly a) {
        StringBuilder s = new StringBuilder(160);
        s.append(a.service).append('\u001f').append(a.model).append('\u001f');
        s.append(a.provider).append('\u001f').append(a.operation).append('\u001f');
        s.append(a.environment).append('\u001f').append(a.namespace).append('\u001f');
        s.append(a.metric).append('\u001f').append(a.eventTimeMs).append('\u001f');
        for (DetectorFinding f : a.detectors) {
            s.append(f.detector).append(',');
        }
        s.append('\u001f').append(a.traceId).append('\u001f').append(a.spanId);
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(s.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}

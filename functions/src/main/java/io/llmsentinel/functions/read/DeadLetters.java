package io.llmsentinel.functions.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.functions.model.RawMessage;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds dead letters that are bounded whatever they describe: at most {@code maxPayloadBytes} of
 * the original (with its full size and SHA-256), prompt and completion text and any other personal
 * data in it scrubbed like everywhere else, and at most {@link #MAX_DETAIL_CHARS} of detail. So a
 * dead letter always fits the dead-letter producer's request size, and a 1 MB batch with one bad
 * span cannot fail the job.
 */
public final class DeadLetters implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Detail kept per dead letter; the first parts' details, then a count of the rest. */
    public static final int MAX_DETAIL_CHARS = 2000;

    /** Details listed before "and N more". */
    private static final int DETAILS_LISTED = 5;

    private static final JsonFactory JSON =
            JsonFactory.builder()
                    .streamReadConstraints(
                            StreamReadConstraints.builder()
                                    .maxStringLength(Integer.MAX_VALUE)
                                    .maxNestingDepth(Integer.MAX_VALUE)
                                    .build())
                    .build();

    private final int maxPayloadBytes;
    private final PiiScrubber scrubber = new PiiScrubber();

    public DeadLetters(int maxPayloadBytes) {
        if (maxPayloadBytes < 0) {
            throw new IllegalArgumentException("the dead-letter payload cap must be >= 0");
        }
        this.maxPayloadBytes = maxPayloadBytes;
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** One dead letter for a message some of whose parts (or all of it) could not be read. */
    public DeadLetter of(RawMessage raw, List<ReadResult.Invalid> invalid) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        StringBuilder detail = new StringBuilder();
        int listed = 0;
        for (ReadResult.Invalid i : invalid) {
            counts.merge(i.reason().code(), 1, Integer::sum);
            if (listed < DETAILS_LISTED) {
                if (listed > 0) {
                    detail.append("; ");
                }
                detail.append(i.detail());
                listed++;
            }
        }
        if (invalid.size() > listed) {
            detail.append("; and ").append(invalid.size() - listed).append(" more");
        }
        StringBuilder reasons = new StringBuilder();
        counts.forEach(
                (r, n) ->
                        reasons.append(reasons.length() == 0 ? "" : ",")
                                .append(r)
                                .append('=')
                                .append(n));
        return of(
                invalid.isEmpty() ? "unknown" : invalid.get(0).reason().code(),
                detail.toString(),
                reasons.toString(),
                invalid.size(),
                raw.topic,
                raw.partition,
                raw.offset,
                raw.kafkaTimestampMs,
                raw.value);
    }

    /** A dead letter of anything: an output's undeliverable record, say. */
    public DeadLetter of(
            String reason,
            String detail,
            String reasons,
            int invalidCount,
            String topic,
            int partition,
            long offset,
            long timestampMs,
            byte[] original) {
        DeadLetter d = new DeadLetter();
        d.reason = reason;
        d.detail = bounded(scrubber.scrub(detail));
        d.reasons = reasons;
        d.invalidCount = invalidCount;
        d.sourceTopic = topic;
        d.sourcePartition = partition;
        d.sourceOffset = offset;
        d.sourceTimestampMs = timestampMs;
        d.failedAtMs = System.currentTimeMillis();
        if (original != null) {
            d.sizeBytes = original.length;
            d.sha256 = sha256(original);
            int keep = Math.min(original.length, maxPayloadBytes);
            d.payloadTruncated = keep < original.length;
            d.payload = scrubbed(original, keep);
        }
        return d;
    }

    /**
     * Bounds a dead letter built elsewhere (an output's undeliverable record): its payload cut to
     * the cap and scrubbed, with size and SHA-256 of the whole; its detail cut and scrubbed.
     */
    public DeadLetter bound(DeadLetter d) {
        d.detail = bounded(scrubber.scrub(d.detail));
        if (d.payload != null && d.sha256 == null) {
            byte[] original = d.payload;
            d.sizeBytes = original.length;
            d.sha256 = sha256(original);
            int keep = Math.min(original.length, maxPayloadBytes);
            d.payloadTruncated = keep < original.length;
            d.payload = scrubbed(original, keep);
        }
        return d;
    }

    /**
     * The first {@code keep} bytes as text, scrubbed, as UTF-8 again, and cut back to the cap (a
     * replacement label may be longer than what it replaced). Bytes that are not UTF-8 become
     * U+FFFD: the SHA-256 and size still identify the original.
     */
    private byte[] scrubbed(byte[] original, int keep) {
        CharsetDecoder utf8 =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE);
        String text;
        try {
            CharBuffer chars = utf8.decode(ByteBuffer.wrap(original, 0, keep));
            text = chars.toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            text = "";
        }
        byte[] out = scrubJson(text).getBytes(StandardCharsets.UTF_8);
        return out.length <= maxPayloadBytes ? out : java.util.Arrays.copyOf(out, maxPayloadBytes);
    }

    /**
     * Scrubs the string values of a JSON text in place, keeping everything else byte for byte:
     * numbers, keys, ids and the 64-bit integers OTLP writes as digit strings are not text anyone
     * typed, and a card or phone pattern must not eat a nanosecond timestamp. Where the text stops
     * being JSON (cut at the cap, or never JSON), the rest is scrubbed as plain text.
     */
    String scrubJson(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        try (JsonParser p = JSON.createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t != JsonToken.VALUE_STRING) {
                    continue;
                }
                String value = p.getText();
                if (isDigits(value)) {
                    continue;
                }
                String clean = scrubber.scrub(value);
                if (clean.equals(value)) {
                    continue;
                }
                int start = (int) p.currentTokenLocation().getCharOffset();
                int end = (int) p.currentLocation().getCharOffset();
                if (start < copied || end > text.length() || start >= end) {
                    continue;
                }
                out.append(text, copied, start);
                out.append('"');
                JsonStringEncoder.getInstance().quoteAsString(clean, out);
                out.append('"');
                copied = end;
            }
        } catch (IOException | RuntimeException notJsonFromHere) {
            out.append(scrubber.scrub(text.substring(copied)));
            return out.toString();
        }
        return out.append(text, copied, text.length()).toString();
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        int i = s.charAt(0) == '-' ? 1 : 0;
        if (i == s.length()) {
            return false;
        }
        for (; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static String bounded(String s) {
        if (s == null || s.length() <= MAX_DETAIL_CHARS) {
            return s;
        }
        return s.substring(0, MAX_DETAIL_CHARS - 1) + Dimensions.MARK;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}

package io.llmsentinel.devtools.generator;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Malformed messages the generator mixes in, each with the dead-letter reason it must get. */
public final class BadMessages {
    private BadMessages() {}

    /** A bad payload and the reason the job must give it. */
    public record Bad(String reason, byte[] payload) {}

    public static final List<Bad> ALL =
            List.of(
                    new Bad("invalid_json", utf8("{\"resourceSpans\": [ {\"resource\": ")),
                    new Bad("empty_message", new byte[0]),
                    new Bad("wrong_type", utf8("{\"resourceSpans\": \"not-a-list\"}")),
                    new Bad("missing_field", utf8("{\"hello\": \"world\"}")),
                    new Bad(
                            "invalid_encoding",
                            concat(
                                    utf8(
                                            "{\"resourceSpans\": [{\"resource\": {\"attributes\": [{\"key\": \"service.name\", \"value\": {\"stringValue\": \""),
                                    new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF},
                                    utf8("\"}}]}}]}"))));

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}

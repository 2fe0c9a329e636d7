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

    /**
     * The first reproduction of issue 12: an OTLP batch of {@code spans} LLM spans with 9 KB
     * prompts (96 make about 915 KB, a Collector's default batch is up to 1 MB), one of which has
     * {@code gen_ai.usage.input_tokens = -5}. All spans end at {@code endMs}.
     */
    public static byte[] largeBatchWithOneBadSpan(String service, int spans, long endMs) {
        StringBuilder b = new StringBuilder(spans * 9_600);
        String prompt = "summarise the attached contract for me " + "lorem ipsum ".repeat(760);
        b.append(resourceStart(service));
        for (int i = 0; i < spans; i++) {
            b.append(i == 0 ? "" : ",")
                    .append(
                            span(
                                    i,
                                    endMs - 800,
                                    endMs,
                                    attr("gen_ai.system", "openai")
                                            + ","
                                            + attr("gen_ai.request.model", "gpt-4o")
                                            + ",{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\""
                                            + (i == spans / 2 ? "-5" : "1200")
                                            + "\"}},"
                                            + attr("gen_ai.prompt", prompt)));
        }
        return utf8(b.append("]}]}]}").toString());
    }

    /** The second reproduction of issue 12: one LLM span whose service.name has {@code n} chars. */
    public static byte[] hugeServiceName(int n, long endMs) {
        return utf8(
                resourceStart("s".repeat(n))
                        + span(
                                0,
                                endMs - 500,
                                endMs,
                                attr("gen_ai.system", "openai")
                                        + ","
                                        + attr("gen_ai.request.model", "gpt-4o"))
                        + "]}]}]}");
    }

    /** One LLM span whose clock runs {@code aheadMs} ahead: its end time is in the future. */
    public static byte[] spanFromTheFuture(String service, long nowMs, long aheadMs) {
        return utf8(
                resourceStart(service)
                        + span(
                                0,
                                nowMs + aheadMs - 500,
                                nowMs + aheadMs,
                                attr("gen_ai.system", "openai")
                                        + ","
                                        + attr("gen_ai.request.model", "gpt-4o"))
                        + "]}]}]}");
    }

    private static String resourceStart(String service) {
        return "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
                + attr("service.name", service)
                + "]},\"scopeSpans\":[{\"scope\":{\"name\":\"llm-sentinel-bad-messages\"},\"spans\":[";
    }

    private static String span(int i, long startMs, long endMs, String attributes) {
        return "{\"traceId\":\""
                + String.format("%032x", 0xbad0000L + i)
                + "\",\"spanId\":\""
                + String.format("%016x", 0xbad0000L + i)
                + "\",\"name\":\"chat gpt-4o\",\"kind\":3,\"startTimeUnixNano\":\""
                + startMs * 1_000_000
                + "\",\"endTimeUnixNano\":\""
                + endMs * 1_000_000
                + "\",\"attributes\":["
                + attributes
                + "]}";
    }

    private static String attr(String key, String value) {
        return "{\"key\":\"" + key + "\",\"value\":{\"stringValue\":\"" + value + "\"}}";
    }

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

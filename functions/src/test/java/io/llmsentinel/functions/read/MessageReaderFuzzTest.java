package io.llmsentinel.functions.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmsentinel.functions.model.RawMessage;
import io.llmsentinel.functions.model.ReadMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Ten thousand and more mutated OTLP/JSON messages through the reader, in process: truncations,
 * type swaps, huge and negative numbers, NaN strings, deep nesting, invalid UTF-8, duplicate keys,
 * enormous arrays, flipped bytes. For every message: nothing escapes, at most one dead letter,
 * every message is parsed, skipped or dead-lettered, and where the spans can be counted every span
 * is a request, a skipped span or a counted invalid one.
 */
class MessageReaderFuzzTest {

    private static final int MESSAGES = 12_000;
    private static final int MAX_BYTES = 256 * 1024;
    private static final int DEAD_LETTER_CAP = 4 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    enum Mutation {
        TRUNCATE,
        SWAP_TYPE,
        HUGE_NUMBER,
        NEGATIVE_NUMBER,
        NAN_STRING,
        DEEP_NESTING,
        INVALID_UTF8,
        DUPLICATE_KEY,
        ENORMOUS_ARRAY,
        FLIP_BYTES,
        DELETE_FIELD,
        NONE
    }

    private final MessageReader reader =
            new MessageReader(
                    new OtlpTraceReader(PriceTable.empty(), MAX_BYTES, 256),
                    new DeadLetters(DEAD_LETTER_CAP));

    @Test
    void noMessageEscapesAndEveryMessageIsAccountedFor() throws IOException {
        List<byte[]> seeds = seeds();
        Random random = new Random(20261202L);
        Map<Mutation, int[]> outcomes = new EnumMap<>(Mutation.class);
        int parsed = 0;
        int skipped = 0;
        int deadLettered = 0;
        int spansChecked = 0;
        for (int i = 0; i < MESSAGES; i++) {
            Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
            byte[] message = mutate(seeds.get(random.nextInt(seeds.size())), mutation, random);
            ReadMessage m;
            try {
                m = reader.read(new RawMessage("otlp_spans", 0, i, 1_764_000_000_000L, message));
            } catch (Throwable t) {
                fail("message " + i + " (" + mutation + ") escaped the reader: " + t, t);
                return;
            }
            assertThat(m.requests).as("message %d", i).isNotNull();
            int[] o = outcomes.computeIfAbsent(mutation, k -> new int[3]);
            if (m.deadLetter != null) {
                deadLettered++;
                o[2]++;
                assertThat(m.deadLetter.invalidCount).isPositive();
                if (m.deadLetter.wholeMessage) {
                    assertThat(m.requests).isEmpty();
                    assertThat(m.deadLetter.invalidCount).isEqualTo(1);
                }
                assertThat(m.deadLetter.payload.length).isLessThanOrEqualTo(DEAD_LETTER_CAP);
                assertThat(m.deadLetter.sizeBytes).isEqualTo(message.length);
                assertThat(InvalidReason.values())
                        .extracting(InvalidReason::code)
                        .contains(m.deadLetter.reason);
            } else if (m.requests.length > 0) {
                parsed++;
                o[0]++;
            } else {
                skipped++;
                o[1]++;
            }
            Integer spans = countSpans(message);
            if (spans != null && (m.deadLetter == null || !m.deadLetter.wholeMessage)) {
                int invalid = m.deadLetter == null ? 0 : m.deadLetter.invalidCount;
                assertThat(m.requests.length + m.skipped + invalid)
                        .as(
                                "spans of message %d (%s): %s -> %s",
                                i,
                                mutation,
                                new String(message, StandardCharsets.UTF_8),
                                m.deadLetter)
                        .isEqualTo(spans);
                spansChecked++;
            }
        }
        Map<String, String> table = new TreeMap<>();
        outcomes.forEach(
                (k, v) ->
                        table.put(
                                k.name(),
                                "parsed=" + v[0] + " skipped=" + v[1] + " dead-lettered=" + v[2]));
        System.out.println("fuzz outcomes by mutation: " + table);

        assertThat(parsed + skipped + deadLettered).isEqualTo(MESSAGES);
        // the mutations reach every path: some survive, some are refused
        assertThat(parsed).isGreaterThan(MESSAGES / 10);
        assertThat(deadLettered).isGreaterThan(MESSAGES / 10);
        assertThat(spansChecked).isGreaterThan(MESSAGES / 4);
        assertThat(outcomes).hasSize(Mutation.values().length);
    }

    /** Spans in a message that is OTLP-shaped JSON, or null where the shape is broken. */
    static Integer countSpans(byte[] message) {
        JsonNode root;
        try {
            root = JSON.readTree(message);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (root == null || !root.isObject() || !root.path("resourceSpans").isArray()) {
            return null;
        }
        int n = 0;
        for (JsonNode rs : root.get("resourceSpans")) {
            if (!rs.isObject()) {
                return null;
            }
            JsonNode scopes = rs.get("scopeSpans");
            if (scopes == null) {
                continue;
            }
            if (!scopes.isArray()) {
                return null;
            }
            for (JsonNode ss : scopes) {
                if (!ss.isObject()) {
                    return null;
                }
                JsonNode spans = ss.get("spans");
                if (spans == null) {
                    continue;
                }
                if (!spans.isArray()) {
                    return null;
                }
                for (JsonNode s : spans) {
                    if (!s.isObject()) {
                        return null;
                    }
                    n++;
                }
            }
        }
        return n;
    }

    private static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        try (InputStream in = MessageReaderFuzzTest.class.getResourceAsStream("/otlp/trace.json")) {
            seeds.add(in.readAllBytes());
        }
        seeds.add(
                SdkSpans.message(
                        "chat-api",
                        List.of(
                                new SdkSpans.SpanSpec(
                                        420,
                                        s -> {
                                            s.setAttribute("gen_ai.system", "openai");
                                            s.setAttribute("gen_ai.request.model", "gpt-4o");
                                            s.setAttribute("gen_ai.usage.input_tokens", 120L);
                                            s.setAttribute("gen_ai.usage.output_tokens", 30L);
                                            s.setAttribute("gen_ai.prompt", "hello 555-123-4567");
                                        }),
                                new SdkSpans.SpanSpec(
                                        90,
                                        s -> {
                                            s.setAttribute("gen_ai.system", "anthropic");
                                            s.setAttribute("gen_ai.operation.name", "chat");
                                            s.setAttribute("gen_ai.usage.cost", 0.002);
                                            SdkSpans.error(s);
                                        }),
                                new SdkSpans.SpanSpec(5, s -> s.setAttribute("http.route", "/")))));
        return seeds;
    }

    static byte[] mutate(byte[] seed, Mutation mutation, Random random) throws IOException {
        switch (mutation) {
            case TRUNCATE:
                return java.util.Arrays.copyOf(seed, random.nextInt(seed.length));
            case INVALID_UTF8:
                {
                    byte[] b = seed.clone();
                    for (int k = 0; k < 1 + random.nextInt(4); k++) {
                        b[random.nextInt(b.length)] =
                                (byte) (0x80 | random.nextInt(0x80)); // a stray continuation byte
                    }
                    return b;
                }
            case FLIP_BYTES:
                {
                    byte[] b = seed.clone();
                    for (int k = 0; k < 1 + random.nextInt(8); k++) {
                        b[random.nextInt(b.length)] = (byte) random.nextInt(128);
                    }
                    return b;
                }
            case DEEP_NESTING:
                {
                    int depth = 10 + random.nextInt(2_000);
                    String s = new String(seed, StandardCharsets.UTF_8);
                    int at = s.indexOf("\"attributes\":") + "\"attributes\":".length();
                    String nested = "[".repeat(depth) + "]".repeat(depth);
                    return (s.substring(0, at) + nested + "," + "\"x\":" + s.substring(at))
                            .getBytes(StandardCharsets.UTF_8);
                }
            case DUPLICATE_KEY:
                {
                    String s = new String(seed, StandardCharsets.UTF_8);
                    String key = random.nextBoolean() ? "\"resourceSpans\":" : "\"spans\":";
                    int at = s.indexOf(key);
                    if (at < 0) {
                        return seed;
                    }
                    String dup = key + (random.nextBoolean() ? "[]" : "{\"a\":1}") + ",";
                    return (s.substring(0, at) + dup + s.substring(at))
                            .getBytes(StandardCharsets.UTF_8);
                }
            case NONE:
                return seed;
            default:
                break;
        }
        JsonNode root = JSON.readTree(seed);
        List<Slot> slots = new ArrayList<>();
        collect(root, slots);
        Slot slot = slots.get(random.nextInt(slots.size()));
        JsonNode replacement;
        switch (mutation) {
            case SWAP_TYPE:
                replacement = swapped(slot.get(), random);
                break;
            case HUGE_NUMBER:
                replacement =
                        random.nextBoolean()
                                ? NODES.textNode("9".repeat(1 + random.nextInt(400)))
                                : NODES.numberNode(
                                        new java.math.BigDecimal("1e" + random.nextInt(400)));
                break;
            case NEGATIVE_NUMBER:
                replacement =
                        random.nextBoolean()
                                ? NODES.textNode("-" + random.nextInt(Integer.MAX_VALUE))
                                : NODES.numberNode(-random.nextDouble() * 1e12);
                break;
            case NAN_STRING:
                replacement =
                        NODES.textNode(
                                new String[] {"NaN", "Infinity", "-Infinity", "nan", ""}
                                        [random.nextInt(5)]);
                break;
            case ENORMOUS_ARRAY:
                {
                    ArrayNode a = NODES.arrayNode();
                    int n = 1_000 + random.nextInt(4_000);
                    JsonNode element = slot.get();
                    for (int k = 0; k < n; k++) {
                        a.add(element == null ? NODES.numberNode(k) : element);
                    }
                    replacement = a;
                    break;
                }
            case DELETE_FIELD:
                replacement = null;
                break;
            default:
                throw new IllegalStateException(mutation.name());
        }
        slot.set(replacement);
        return JSON.writeValueAsBytes(root);
    }

    private static JsonNode swapped(JsonNode node, Random random) {
        JsonNode[] others = {
            NODES.textNode("x"),
            NODES.numberNode(random.nextInt()),
            NODES.booleanNode(true),
            NODES.nullNode(),
            NODES.arrayNode().add(1),
            NODES.objectNode().put("k", "v"),
            NODES.numberNode(1.5)
        };
        JsonNode pick;
        do {
            pick = others[random.nextInt(others.length)];
        } while (node != null && pick.getNodeType() == node.getNodeType());
        return pick;
    }

    /** A place in the tree: a field of an object or an element of an array. */
    private record Slot(JsonNode parent, String field, int index) {
        JsonNode get() {
            return field != null ? parent.get(field) : parent.get(index);
        }

        void set(JsonNode value) {
            if (field != null) {
                if (value == null) {
                    ((ObjectNode) parent).remove(field);
                } else {
                    ((ObjectNode) parent).set(field, value);
                }
            } else if (value == null) {
                ((ArrayNode) parent).remove(index);
            } else {
                ((ArrayNode) parent).set(index, value);
            }
        }
    }

    private static void collect(JsonNode node, List<Slot> slots) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                slots.add(new Slot(node, e.getKey(), -1));
                collect(e.getValue(), slots);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                slots.add(new Slot(node, null, i));
                collect(node.get(i), slots);
            }
        }
    }
}

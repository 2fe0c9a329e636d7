package io.llmsentinel.functions.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.llmsentinel.functions.model.LlmRequest;
import java.io.CharConversionException;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * THE BENCHMARK'S BASELINE ONLY: the OTLP trace reader as it was on main at 9f03594, before it
 * decided from a span's markers whether it is a model call before building anything for it. Kept so
 * {@code ReaderBenchmark} measures both in one JVM run; not used by anything else.
 *
 * <p>Reads an OTLP/JSON {@code ExportTraceServiceRequest} (what the Collector's Kafka exporter
 * writes with {@code encoding: otlp_json}) into one {@link LlmRequest} per GenAI span.
 *
 * <p>Follows the OTLP/JSON mapping: lowerCamelCase keys, trace and span ids in hex (any case) or
 * base64, 64-bit integers as strings or numbers, enums as integers (or their names), unknown fields
 * ignored. It streams over the message with Jackson's parser and keeps only the attributes it
 * reads; other values are skipped without being built, so a large or deep span costs little. A span
 * without GenAI attributes is counted as skipped. A span that has them but cannot be used is
 * reported as invalid with its reason; the others in the message still count.
 */
public final class PreviousOtlpTraceReader implements TelemetryReader {
    private static final long serialVersionUID = 1L;

    /** Deeper JSON than this is not an OTLP message; it is rejected before it costs memory. */
    static final int MAX_NESTING = 64;

    private final int maxMessageBytes;
    private final RequestChecks checks;
    private transient JsonFactory json;

    /** The default limit on event times ahead of the clock: 5 minutes. */
    public static final long DEFAULT_MAX_FUTURE_MS = 5 * 60_000L;

    public PreviousOtlpTraceReader(PriceTable prices, int maxMessageBytes, int maxTextChars) {
        this(
                prices,
                maxMessageBytes,
                maxTextChars,
                DEFAULT_MAX_FUTURE_MS,
                System::currentTimeMillis);
    }

    /**
     * @param maxFutureMs spans whose event time is further ahead of {@code clock} are refused
     *     ({@code clock_skew})
     */
    public PreviousOtlpTraceReader(
            PriceTable prices,
            int maxMessageBytes,
            int maxTextChars,
            long maxFutureMs,
            RequestChecks.Clock clock) {
        this.maxMessageBytes = maxMessageBytes;
        this.checks = new RequestChecks(prices, maxTextChars, maxFutureMs, clock);
    }

    private JsonFactory json() {
        if (json == null) {
            json =
                    JsonFactory.builder()
                            .streamReadConstraints(
                                    StreamReadConstraints.builder()
                                            .maxNestingDepth(MAX_NESTING)
                                            .maxStringLength(maxMessageBytes)
                                            .build())
                            .build();
        }
        return json;
    }

    @Override
    public ReadResult read(byte[] message) {
        if (message == null || message.length == 0) {
            return ReadResult.ofInvalid(InvalidReason.EMPTY_MESSAGE, "the message has no bytes");
        }
        if (message.length > maxMessageBytes) {
            return ReadResult.ofInvalid(
                    InvalidReason.TOO_LARGE,
                    "message of " + message.length + " bytes exceeds " + maxMessageBytes);
        }
        ReadResult result = new ReadResult();
        try (JsonParser p = json().createParser(message)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw wrongType("the message", "an ExportTraceServiceRequest object", p);
            }
            boolean sawResourceSpans = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if ("resourceSpans".equals(field) || "resource_spans".equals(field)) {
                    sawResourceSpans = true;
                    readResourceSpans(p, result);
                } else {
                    p.skipChildren();
                }
            }
            if (!sawResourceSpans) {
                throw new InvalidInputException(
                        InvalidReason.MISSING_FIELD,
                        "no 'resourceSpans': not an OTLP ExportTraceServiceRequest");
            }
            if (p.nextToken() != null) {
                throw new InvalidInputException(
                        InvalidReason.INVALID_JSON, "content after the end of the JSON object");
            }
            return result;
        } catch (InvalidInputException e) {
            return ReadResult.ofInvalid(e.reason(), e.getMessage());
        } catch (CharConversionException e) {
            return ReadResult.ofInvalid(InvalidReason.INVALID_ENCODING, e.getMessage());
        } catch (StreamConstraintsException e) {
            return ReadResult.ofInvalid(InvalidReason.TOO_DEEP, e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            return ReadResult.ofInvalid(invalidJsonReason(e), e.getOriginalMessage());
        } catch (IOException | RuntimeException e) {
            return ReadResult.ofInvalid(InvalidReason.INVALID_JSON, String.valueOf(e));
        }
    }

    private static InvalidReason invalidJsonReason(JsonProcessingException e) {
        String m = String.valueOf(e.getOriginalMessage());
        return m.contains("Invalid UTF-8") || m.contains("UTF8")
                ? InvalidReason.INVALID_ENCODING
                : InvalidReason.INVALID_JSON;
    }

    private void readResourceSpans(JsonParser p, ReadResult result) throws IOException {
        expectArray(p, "resourceSpans");
        while (p.nextToken() != JsonToken.END_ARRAY) {
            expectObject(p, "resourceSpans[]");
            Resource resource = new Resource();
            // The resource may come after the spans in the JSON; spans are kept until it is read.
            java.util.List<LlmRequest> pending = new java.util.ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "resource" -> readResource(p, resource);
                    case "scopeSpans", "scope_spans", "instrumentationLibrarySpans" ->
                            readScopeSpans(p, result, pending);
                    default -> p.skipChildren();
                }
            }
            for (LlmRequest r : pending) {
                resource.applyTo(r);
                result.addCleanedDimensions(checks.cleanDimensions(r));
                result.add(r);
            }
        }
    }

    private void readResource(JsonParser p, Resource resource) throws IOException {
        expectObject(p, "resource");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if ("attributes".equals(field)) {
                Map<String, Object> attrs = new HashMap<>();
                readAttributes(p, attrs, new boolean[1]);
                resource.service = asString(attrs.get(Names.SERVICE_NAME));
                resource.environment = firstString(attrs, Names.ENVIRONMENT);
                resource.namespace = asString(attrs.get(Names.SERVICE_NAMESPACE));
            } else {
                p.skipChildren();
            }
        }
    }

    private void readScopeSpans(JsonParser p, ReadResult result, java.util.List<LlmRequest> pending)
            throws IOException {
        expectArray(p, "scopeSpans");
        while (p.nextToken() != JsonToken.END_ARRAY) {
            expectObject(p, "scopeSpans[]");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if ("spans".equals(field)) {
                    expectArray(p, "spans");
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        readSpan(p, result, pending);
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    private void readSpan(JsonParser p, ReadResult result, java.util.List<LlmRequest> pending)
            throws IOException {
        Span span = new Span();
        InvalidInputException spanError = null;
        expectObject(p, "spans[]");
        JsonStreamContext spanContext = p.getParsingContext();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            try {
                switch (field) {
                    case "traceId", "trace_id" -> span.traceId = readId(p, "traceId", 16);
                    case "spanId", "span_id" -> span.spanId = readId(p, "spanId", 8);
                    case "startTimeUnixNano", "start_time_unix_nano" ->
                            span.startNanos = readInt64(p, "startTimeUnixNano");
                    case "endTimeUnixNano", "end_time_unix_nano" ->
                            span.endNanos = readInt64(p, "endTimeUnixNano");
                    case "attributes" -> readAttributes(p, span.attributes, span.genAi);
                    case "status" -> readStatus(p, span);
                    default -> p.skipChildren();
                }
            } catch (InvalidInputException e) {
                // Skip the rest of this field, however deep the error was, so the rest of the
                // span and of the message stay readable.
                while (p.getParsingContext() != spanContext) {
                    if (p.nextToken() == null) {
                        throw e;
                    }
                }
                if (spanError == null) {
                    spanError = e;
                }
            }
        }
        if (!span.genAi[0]) {
            result.addSkipped(SkipReason.NOT_GENAI);
            return;
        }
        try {
            if (spanError != null) {
                throw spanError;
            }
            LlmRequest r = span.toRequest();
            checks.complete(r);
            pending.add(r);
        } catch (InvalidInputException e) {
            result.addInvalid(e.reason(), "span " + span.describe() + ": " + e.getMessage());
        }
    }

    private void readStatus(JsonParser p, Span span) throws IOException {
        expectObject(p, "status");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if ("code".equals(field)) {
                if (t == JsonToken.VALUE_NUMBER_INT) {
                    span.statusError = p.getIntValue() == 2;
                } else if (t == JsonToken.VALUE_STRING) {
                    span.statusError = "STATUS_CODE_ERROR".equals(p.getText());
                } else {
                    throw wrongType("status.code", "an integer", p);
                }
            } else if ("message".equals(field) && t == JsonToken.VALUE_STRING) {
                span.statusMessage = p.getText();
            } else {
                p.skipChildren();
            }
        }
    }

    /**
     * Reads a {@code KeyValue} list. Only the attributes this reader uses are built; the rest are
     * skipped. {@code genAi[0]} becomes true when a GenAI key is met.
     */
    private void readAttributes(JsonParser p, Map<String, Object> into, boolean[] genAi)
            throws IOException {
        expectArray(p, "attributes");
        while (p.nextToken() != JsonToken.END_ARRAY) {
            expectObject(p, "attributes[]");
            String key = null;
            Object value = null;
            boolean valueSkipped = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if ("key".equals(field)) {
                    key = p.getValueAsString();
                    if (key != null && Names.isGenAiKey(key)) {
                        genAi[0] = true;
                    }
                } else if ("value".equals(field)) {
                    // Keys come first in every encoder we know; if not, the value is kept.
                    if (key != null && !Wanted.KEYS.contains(key)) {
                        p.skipChildren();
                        valueSkipped = true;
                    } else {
                        value = readAnyValue(p, 0);
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (key == null) {
                throw new InvalidInputException(
                        InvalidReason.MISSING_FIELD, "an attribute has no 'key'");
            }
            if (!valueSkipped && value != null && Wanted.KEYS.contains(key)) {
                into.put(key, value);
            }
        }
    }

    /** An OTLP {@code AnyValue}: String, Boolean, Long, Double, or the text of an array/kvlist. */
    private Object readAnyValue(JsonParser p, int depth) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw wrongType("an attribute value", "an AnyValue object", p);
        }
        if (depth > 16) {
            throw new InvalidInputException(
                    InvalidReason.TOO_DEEP, "attribute value nested deeper than 16 levels");
        }
        Object value = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String kind = p.currentName();
            JsonToken t = p.nextToken();
            switch (kind) {
                case "stringValue" -> value = p.getValueAsString();
                case "boolValue" -> {
                    if (!t.isBoolean()) {
                        throw wrongType("boolValue", "true or false", p);
                    }
                    value = p.getBooleanValue();
                }
                case "intValue" -> value = readInt64(p, "intValue");
                case "doubleValue" -> value = readDouble(p);
                case "bytesValue" -> value = p.getValueAsString();
                case "arrayValue" -> value = readComposite(p, depth, false);
                case "kvlistValue" -> value = readComposite(p, depth, true);
                default -> p.skipChildren();
            }
        }
        return value;
    }

    /** Array and kvlist values: their leaves joined as text, for prompts and completions. */
    private String readComposite(JsonParser p, int depth, boolean keyValues) throws IOException {
        expectObject(p, "a composite value");
        StringBuilder text = new StringBuilder();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (!"values".equals(field)) {
                p.skipChildren();
                continue;
            }
            expectArray(p, "values");
            while (p.nextToken() != JsonToken.END_ARRAY) {
                Object leaf = keyValues ? readKeyValueText(p, depth) : readAnyValue(p, depth + 1);
                if (leaf != null) {
                    if (text.length() > 0) {
                        text.append('\n');
                    }
                    text.append(leaf);
                }
            }
        }
        return text.toString();
    }

    /** One {@code {"key": .., "value": AnyValue}} of a kvlist, as "key: value". */
    private String readKeyValueText(JsonParser p, int depth) throws IOException {
        expectObject(p, "a kvlist entry");
        String key = null;
        Object value = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if ("key".equals(field)) {
                key = p.getValueAsString();
            } else if ("value".equals(field)) {
                value = readAnyValue(p, depth + 1);
            } else {
                p.skipChildren();
            }
        }
        return value == null ? null : key == null ? value.toString() : key + ": " + value;
    }

    private static double readDouble(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        double d;
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            d = p.getDoubleValue();
        } else if (t == JsonToken.VALUE_STRING) {
            // proto3 JSON writes NaN and infinities as strings; they are not usable values here.
            String s = p.getText();
            try {
                d = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw wrongType("doubleValue", "a number", p);
            }
        } else {
            throw wrongType("doubleValue", "a number", p);
        }
        if (!Double.isFinite(d)) {
            throw new InvalidInputException(InvalidReason.INVALID_VALUE, "doubleValue is " + d);
        }
        return d;
    }

    /** A 64-bit integer, written as a JSON string (the OTLP/JSON rule) or a plain number. */
    static long readInt64(JsonParser p, String name) throws IOException {
        JsonToken t = p.currentToken();
        try {
            if (t == JsonToken.VALUE_STRING) {
                return Long.parseLong(p.getText().trim());
            }
            if (t == JsonToken.VALUE_NUMBER_INT) {
                return p.getLongValue();
            }
        } catch (NumberFormatException | com.fasterxml.jackson.core.exc.InputCoercionException e) {
            throw wrongType(name, "a 64-bit integer", p);
        }
        throw wrongType(name, "a 64-bit integer", p);
    }

    /** Trace and span ids: hex (any case) or base64 of {@code bytes} bytes; lower-case hex out. */
    static String readId(JsonParser p, String name, int bytes) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw wrongType(name, "a hex or base64 string", p);
        }
        String s = p.getText();
        if (s.isEmpty()) {
            return null;
        }
        if (s.length() == bytes * 2 && isHex(s)) {
            return s.toLowerCase(java.util.Locale.ROOT);
        }
        try {
            byte[] raw = Base64.getDecoder().decode(s);
            if (raw.length == bytes) {
                return HexFormat.of().formatHex(raw);
            }
        } catch (IllegalArgumentException ignored) {
            // falls through to the error below
        }
        throw new InvalidInputException(
                InvalidReason.INVALID_VALUE,
                name + " '" + abbreviate(s) + "' is neither " + bytes + " bytes of hex nor base64");
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static void expectArray(JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw wrongType(name, "an array", p);
        }
    }

    private static void expectObject(JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw wrongType(name, "an object", p);
        }
    }

    private static InvalidInputException wrongType(String name, String expected, JsonParser p) {
        return new InvalidInputException(
                InvalidReason.WRONG_TYPE,
                name + " must be " + expected + " but is " + describe(p.currentToken()));
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "missing";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    static String asString(Object o) {
        return o == null ? null : o.toString();
    }

    static String firstString(Map<String, Object> attrs, String[] names) {
        for (String n : names) {
            Object v = attrs.get(n);
            if (v != null && !v.toString().isEmpty()) {
                return v.toString();
            }
        }
        return null;
    }

    /** The attribute names whose values are built; all others are skipped unread. */
    private static final class Wanted {
        static final java.util.Set<String> KEYS = new java.util.HashSet<>();

        static {
            for (String[] names :
                    new String[][] {
                        Names.PROVIDER,
                        Names.OPERATION,
                        Names.MODEL,
                        Names.INPUT_TOKENS,
                        Names.OUTPUT_TOKENS,
                        Names.TTFT_SECONDS,
                        Names.COST_USD,
                        Names.PROMPT_TEXT,
                        Names.COMPLETION_TEXT,
                        Names.ENVIRONMENT
                    }) {
                KEYS.addAll(java.util.List.of(names));
            }
            KEYS.add(Names.ERROR_TYPE);
            KEYS.add(Names.SERVICE_NAME);
            KEYS.add(Names.SERVICE_NAMESPACE);
        }
    }

    private static final class Resource {
        String service;
        String environment;
        String namespace;

        void applyTo(LlmRequest r) {
            r.service = service != null ? service : "unknown_service";
            r.environment = environment;
            r.namespace = namespace;
        }
    }

    private static final class Span {
        String traceId;
        String spanId;
        Long startNanos;
        Long endNanos;
        boolean statusError;
        String statusMessage;

        /** Set as soon as a GenAI key is seen, even if its value then fails to read. */
        final boolean[] genAi = new boolean[1];

        final Map<String, Object> attributes = new HashMap<>();

        String describe() {
            return spanId != null ? spanId : "(no spanId)";
        }

        LlmRequest toRequest() {
            if (startNanos == null) {
                throw new InvalidInputException(
                        InvalidReason.MISSING_FIELD, "no startTimeUnixNano");
            }
            if (endNanos == null) {
                throw new InvalidInputException(InvalidReason.MISSING_FIELD, "no endTimeUnixNano");
            }
            if (endNanos < startNanos) {
                throw new InvalidInputException(
                        InvalidReason.INVALID_VALUE,
                        "endTimeUnixNano "
                                + endNanos
                                + " is before startTimeUnixNano "
                                + startNanos);
            }
            LlmRequest r = new LlmRequest();
            r.eventTimeMs = endNanos / 1_000_000L;
            r.latencyMs = (endNanos - startNanos) / 1_000_000.0;
            r.traceId = traceId;
            r.spanId = spanId;
            r.provider = orDefault(firstString(attributes, Names.PROVIDER), "unknown");
            r.operation = orDefault(firstString(attributes, Names.OPERATION), "chat");
            r.model = orDefault(firstString(attributes, Names.MODEL), "unknown");
            r.inputTokens = number(Names.INPUT_TOKENS);
            r.outputTokens = number(Names.OUTPUT_TOKENS);
            double ttftSeconds = number(Names.TTFT_SECONDS);
            r.ttftMs = Double.isNaN(ttftSeconds) ? Double.NaN : ttftSeconds * 1000.0;
            r.costUsd = number(Names.COST_USD);
            Object errorType = attributes.get(Names.ERROR_TYPE);
            r.error = statusError || errorType != null;
            r.errorType =
                    errorType != null
                            ? errorType.toString()
                            : statusError ? orDefault(statusMessage, "status_error") : null;
            r.promptText = firstString(attributes, Names.PROMPT_TEXT);
            r.completionText = firstString(attributes, Names.COMPLETION_TEXT);
            return r;
        }

        /** The first attribute of {@code names} that is present, as a number. */
        private double number(String[] names) {
            for (String n : names) {
                Object v = attributes.get(n);
                if (v == null) {
                    continue;
                }
                if (v instanceof Number num) {
                    return num.doubleValue();
                }
                if (v instanceof String s) {
                    try {
                        double d = Double.parseDouble(s.trim());
                        if (Double.isFinite(d)) {
                            return d;
                        }
                    } catch (NumberFormatException ignored) {
                        // reported below
                    }
                }
                throw new InvalidInputException(
                        InvalidReason.WRONG_TYPE,
                        n + " must be a number but is '" + abbreviate(v.toString()) + "'");
            }
            return Double.NaN;
        }

        private static String orDefault(String v, String d) {
            return v == null || v.isEmpty() ? d : v;
        }
    }

    /** The attribute names of the reader at 9f03594. */
    private static final class Names {
        static final String[] PROVIDER = {
            "gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system"
        };
        static final String[] OPERATION = {"gen_ai.operation.name"};
        static final String[] MODEL = {
            "gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "llm.model"
        };
        static final String[] INPUT_TOKENS = {
            "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt"
        };
        static final String[] OUTPUT_TOKENS = {
            "gen_ai.usage.output_tokens",
            "gen_ai.usage.completion_tokens",
            "llm.token_count.completion"
        };

        /** Seconds. */
        static final String[] TTFT_SECONDS = {
            "gen_ai.response.time_to_first_chunk", "gen_ai.server.time_to_first_token"
        };

        static final String[] COST_USD = {"gen_ai.usage.cost", "llm.cost.total"};
        static final String ERROR_TYPE = "error.type";
        static final String[] PROMPT_TEXT = {
            "gen_ai.input.messages", "gen_ai.prompt", "input.value"
        };
        static final String[] COMPLETION_TEXT = {
            "gen_ai.output.messages", "gen_ai.completion", "output.value"
        };

        static final String SERVICE_NAME = "service.name";
        static final String[] ENVIRONMENT = {
            "deployment.environment.name", "deployment.environment"
        };
        static final String SERVICE_NAMESPACE = "service.namespace";

        /** A span is an LLM span when it carries an attribute with one of these prefixes. */
        static boolean isGenAiKey(String key) {
            return key.startsWith("gen_ai.") || key.startsWith("llm.");
        }
    }
}

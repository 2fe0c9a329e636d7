package io.llmsentinel.functions.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RequestKind;
import java.io.CharConversionException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Reads an OTLP/JSON {@code ExportTraceServiceRequest} (what the Collector's Kafka exporter writes
 * with {@code encoding: otlp_json}) into one {@link LlmRequest} per model call or tool execution.
 *
 * <p>Follows the OTLP/JSON mapping: lowerCamelCase keys, trace and span ids in hex (any case) or
 * base64, 64-bit integers as strings or numbers, enums as integers (or their names), unknown fields
 * ignored.
 *
 * <p>In a real application most spans are HTTP, database and framework spans. The envelope of the
 * message is walked by a {@link JsonSkimmer}, which passes over a span none of whose attribute
 * names starts with a GenAI prefix or a marker of {@link ModelCallRule} without tokenizing it
 * (counted as skipped, {@code not_genai}). The other spans, and each resource not seen lately, are
 * parsed by Jackson into one reused scratch object: ids and times as characters and numbers, and of
 * the attributes only those {@link GenAiAttributes} names, found without making a String of each
 * key; names, events, links and every other attribute are skipped unread. Only when {@link
 * ModelCallRule} finds a model call or a tool execution in a span is a request built; a span that
 * is neither is counted as skipped with its reason. A span that is one but cannot be used is
 * reported as invalid with its reason; the others in the message still count.
 *
 * <p>One reader serves one thread at a time (Flink gives each source subtask its own copy).
 */
public final class OtlpTraceReader implements TelemetryReader {
    private static final long serialVersionUID = 1L;

    /** Deeper JSON than this is not an OTLP message; it is rejected before it costs memory. */
    static final int MAX_NESTING = 64;

    /** The default limit on event times ahead of the clock: 5 minutes. */
    public static final long DEFAULT_MAX_FUTURE_MS = 5 * 60_000L;

    private static final byte[] RESOURCE_SPANS = JsonSkimmer.name("resourceSpans");
    private static final byte[] RESOURCE_SPANS_SNAKE = JsonSkimmer.name("resource_spans");
    private static final byte[] RESOURCE = JsonSkimmer.name("resource");
    private static final byte[] SCOPE_SPANS = JsonSkimmer.name("scopeSpans");
    private static final byte[] SCOPE_SPANS_SNAKE = JsonSkimmer.name("scope_spans");
    private static final byte[] INSTRUMENTATION_LIBRARY_SPANS =
            JsonSkimmer.name("instrumentationLibrarySpans");
    private static final byte[] SPANS = JsonSkimmer.name("spans");

    /**
     * A span with none of these at the start of an attribute's name is not an LLM span: the
     * prefixes of GenAI keys, and the markers of {@link ModelCallRule} they do not cover.
     */
    private static final JsonSkimmer.Prefixes MARKERS =
            new JsonSkimmer.Prefixes(
                    java.util.stream.Stream.concat(
                                    GenAiAttributes.GENAI_PREFIXES.stream(),
                                    ModelCallRule.MARKERS.stream()
                                            .filter(
                                                    m ->
                                                            GenAiAttributes.GENAI_PREFIXES.stream()
                                                                    .noneMatch(m::startsWith)))
                            .toList());

    private final int maxMessageBytes;
    private final boolean keepText;
    private final RequestChecks checks;
    private final ModelNaming naming;
    private transient JsonFactory json;
    private transient JsonFactory[] nestedJson;
    private transient JsonSkimmer skimmer;
    private transient Span span;
    private transient AttributeValues resourceAttributes;
    private transient RecentResources recentResources;

    public OtlpTraceReader(PriceTable prices, int maxMessageBytes, int maxTextChars) {
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
    public OtlpTraceReader(
            PriceTable prices,
            int maxMessageBytes,
            int maxTextChars,
            long maxFutureMs,
            RequestChecks.Clock clock) {
        this(prices, maxMessageBytes, maxTextChars, maxFutureMs, clock, ModelNaming.DEFAULT);
    }

    /**
     * @param naming which model name a key uses ({@code keys.model-name}, ...)
     */
    public OtlpTraceReader(
            PriceTable prices,
            int maxMessageBytes,
            int maxTextChars,
            long maxFutureMs,
            RequestChecks.Clock clock,
            ModelNaming naming) {
        this.maxMessageBytes = maxMessageBytes;
        this.keepText = maxTextChars > 0;
        this.checks = new RequestChecks(prices, maxTextChars, maxFutureMs, clock);
        this.naming = naming;
    }

    private JsonFactory json() {
        if (json == null) {
            json = factory(MAX_NESTING);
            skimmer = new JsonSkimmer(MAX_NESTING);
            nestedJson = new JsonFactory[MAX_NESTING + 1];
            span = new Span();
            resourceAttributes = new AttributeValues();
            recentResources = new RecentResources();
        }
        return json;
    }

    private JsonFactory factory(int maxNesting) {
        return JsonFactory.builder()
                .streamReadConstraints(
                        StreamReadConstraints.builder()
                                .maxNestingDepth(maxNesting)
                                .maxStringLength(maxMessageBytes)
                                .build())
                .build();
    }

    /**
     * A parser for the value at the skimmer's position: it reads that value as a document of its
     * own, so its nesting limit is what the enclosing containers leave of {@link #MAX_NESTING}.
     */
    private JsonParser parserAt(byte[] message) throws IOException {
        int outer = skimmer.depth();
        JsonFactory f = nestedJson[outer];
        if (f == null) {
            f = factory(MAX_NESTING - outer);
            nestedJson[outer] = f;
        }
        int at = skimmer.position();
        JsonParser p = f.createParser(message, at, message.length - at);
        try {
            p.nextToken();
            return p;
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /**
     * After {@code p} read one value from where the skimmer stood, the skimmer goes on after it.
     */
    private void continueAfter(JsonParser p, int valueStart) {
        skimmer.continueAt(valueStart + (int) p.currentLocation().getByteOffset());
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
        try {
            json();
            JsonSkimmer s = skimmer;
            s.reset(message);
            s.enterObject("the message");
            boolean sawResourceSpans = false;
            while (s.nextField()) {
                if (s.fieldIs(RESOURCE_SPANS) || s.fieldIs(RESOURCE_SPANS_SNAKE)) {
                    sawResourceSpans = true;
                    readResourceSpans(message, result);
                } else {
                    s.skipValue();
                }
            }
            if (!sawResourceSpans) {
                throw new InvalidInputException(
                        InvalidReason.MISSING_FIELD,
                        "no 'resourceSpans': not an OTLP ExportTraceServiceRequest");
            }
            if (s.peek() != -1) {
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

    private void readResourceSpans(byte[] message, ReadResult result) throws IOException {
        JsonSkimmer s = skimmer;
        s.enterArray("resourceSpans");
        while (s.nextElement()) {
            s.enterObject("resourceSpans[]");
            Resource resource = Resource.NONE;
            // The resource may come after the spans in the JSON; requests wait until it is read.
            List<LlmRequest> pending = new ArrayList<>(0);
            while (s.nextField()) {
                if (s.fieldIs(RESOURCE)) {
                    resource = resourceAt(message);
                } else if (s.fieldIs(SCOPE_SPANS)
                        || s.fieldIs(SCOPE_SPANS_SNAKE)
                        || s.fieldIs(INSTRUMENTATION_LIBRARY_SPANS)) {
                    readScopeSpans(message, result, pending);
                } else {
                    s.skipValue();
                }
            }
            for (LlmRequest r : pending) {
                resource.applyTo(r);
                result.addCleanedDimensions(checks.cleanDimensions(r));
                result.add(r);
            }
        }
    }

    /**
     * The resource at the skimmer's position. A process sends the same resource with every batch,
     * so the last few are remembered by their bytes and not parsed again.
     */
    private Resource resourceAt(byte[] message) throws IOException {
        JsonSkimmer s = skimmer;
        if (s.peek() != '{') {
            s.enterObject("resource"); // throws: a resource is an object
        }
        int start = s.position();
        int depth = s.depth();
        s.skipValue();
        int end = s.position();
        Resource known = recentResources.find(message, start, end);
        if (known != null) {
            return known;
        }
        s.continueAt(start, depth);
        try (JsonParser p = parserAt(message)) {
            Resource resource = readResource(p);
            continueAfter(p, start);
            recentResources.add(message, start, end, resource);
            return resource;
        }
    }

    private Resource readResource(JsonParser p) throws IOException {
        expectObject(p, "resource");
        Resource resource = Resource.NONE;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if ("attributes".equals(field)) {
                AttributeValues attrs = resourceAttributes;
                attrs.clear();
                readAttributes(p, attrs);
                resource =
                        new Resource(
                                attrs.string(GenAiAttributes.SERVICE_NAME),
                                attrs.firstString(GenAiAttributes.ENVIRONMENT),
                                attrs.string(GenAiAttributes.SERVICE_NAMESPACE));
            } else {
                p.skipChildren();
            }
        }
        return resource;
    }

    private void readScopeSpans(byte[] message, ReadResult result, List<LlmRequest> pending)
            throws IOException {
        JsonSkimmer s = skimmer;
        s.enterArray("scopeSpans");
        while (s.nextElement()) {
            s.enterObject("scopeSpans[]");
            while (s.nextField()) {
                if (s.fieldIs(SPANS)) {
                    s.enterArray("spans");
                    while (s.nextElement()) {
                        if (s.peek() != '{') {
                            s.enterObject("spans[]"); // throws: a span is an object
                        }
                        int start = s.position();
                        int depth = s.depth();
                        if (s.skipUnlessMarked(MARKERS)) {
                            // no gen_ai.*, llm.* or marker key anywhere in it: not an LLM span
                            result.addSkipped(SkipReason.NOT_GENAI);
                            continue;
                        }
                        s.continueAt(start, depth);
                        try (JsonParser p = parserAt(message)) {
                            readSpan(p, result, pending);
                            continueAfter(p, start);
                        }
                    }
                } else {
                    s.skipValue();
                }
            }
        }
    }

    private void readSpan(JsonParser p, ReadResult result, List<LlmRequest> pending)
            throws IOException {
        Span s = span;
        s.clear();
        InvalidInputException spanError = null;
        expectObject(p, "spans[]");
        JsonStreamContext spanContext = p.getParsingContext();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            try {
                switch (field) {
                    case "traceId", "trace_id" -> s.traceId.read(p, "traceId");
                    case "spanId", "span_id" -> s.spanId.read(p, "spanId");
                    case "startTimeUnixNano", "start_time_unix_nano" -> {
                        s.startNanos = readInt64(p, "startTimeUnixNano");
                        s.hasStart = true;
                    }
                    case "endTimeUnixNano", "end_time_unix_nano" -> {
                        s.endNanos = readInt64(p, "endTimeUnixNano");
                        s.hasEnd = true;
                    }
                    case "attributes" -> readAttributes(p, s.attributes);
                    case "status" -> readStatus(p, s);
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
        AttributeValues a = s.attributes;
        ModelCallRule.Verdict verdict =
                ModelCallRule.classify(
                        a.string(GenAiAttributes.OPERATION),
                        a.string(GenAiAttributes.OPENINFERENCE_KIND),
                        a.string(GenAiAttributes.AI_SDK_OPERATION),
                        a.string(GenAiAttributes.SPRING_AI_KIND),
                        a.string(GenAiAttributes.OPENLLMETRY_REQUEST_TYPE),
                        a.string(GenAiAttributes.TRACELOOP_KIND),
                        a.genAi);
        if (verdict.isSkipped()) {
            result.addSkipped(verdict.skipped());
            return;
        }
        try {
            if (spanError != null) {
                throw spanError;
            }
            LlmRequest r = toRequest(s, verdict);
            checks.complete(r);
            pending.add(r);
        } catch (InvalidInputException e) {
            result.addInvalid(e.reason(), "span " + s.describe() + ": " + e.getMessage());
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
            } else if ("message".equals(field)
                    && t == JsonToken.VALUE_STRING
                    && p.getTextLength() > 0) {
                span.statusMessage = p.getText();
            } else {
                p.skipChildren();
            }
        }
    }

    /**
     * Reads a {@code KeyValue} list into {@code into}: the values of the names {@link
     * GenAiAttributes} knows; every other value is skipped without being decoded. {@code
     * into.genAi} becomes true when a {@code gen_ai.*} or {@code llm.*} key is met.
     */
    private void readAttributes(JsonParser p, AttributeValues into) throws IOException {
        expectArray(p, "attributes");
        while (p.nextToken() != JsonToken.END_ARRAY) {
            expectObject(p, "attributes[]");
            boolean sawKey = false;
            int index = -1;
            Object valueBeforeKey = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("key".equals(field)) {
                    if (t == JsonToken.VALUE_STRING) {
                        char[] chars = p.getTextCharacters();
                        int offset = p.getTextOffset();
                        int length = p.getTextLength();
                        index = GenAiAttributes.INDEX.find(chars, offset, length);
                        sawKey = true;
                        if (GenAiAttributes.isGenAiKey(chars, offset, length)) {
                            into.genAi = true;
                        }
                    } else if (t.isScalarValue() && t != JsonToken.VALUE_NULL) {
                        String key = p.getValueAsString();
                        index = GenAiAttributes.INDEX.find(key);
                        sawKey = true;
                        into.genAi |= GenAiAttributes.isGenAiKey(key);
                    } else {
                        p.skipChildren();
                    }
                } else if ("value".equals(field)) {
                    if (!sawKey) {
                        // Keys come first in every encoder we know; if not, the value is kept.
                        valueBeforeKey = readAnyValue(p, 0);
                    } else if (index >= 0 && (keepText || !GenAiAttributes.isText(index))) {
                        readValue(p, into, index);
                    } else {
                        p.skipChildren();
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (!sawKey) {
                throw new InvalidInputException(
                        InvalidReason.MISSING_FIELD, "an attribute has no 'key'");
            }
            if (valueBeforeKey != null
                    && index >= 0
                    && (keepText || !GenAiAttributes.isText(index))) {
                if (valueBeforeKey instanceof Long || valueBeforeKey instanceof Double) {
                    into.setNumber(index, ((Number) valueBeforeKey).doubleValue());
                } else {
                    into.set(index, valueBeforeKey);
                }
            }
        }
    }

    /** One wanted {@code AnyValue}, numbers unboxed. */
    private void readValue(JsonParser p, AttributeValues into, int index) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw wrongType("an attribute value", "an AnyValue object", p);
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String kind = p.currentName();
            JsonToken t = p.nextToken();
            switch (kind) {
                case "stringValue", "bytesValue" -> {
                    if (t.isStructStart()) {
                        throw wrongType(kind, "a string", p);
                    }
                    String v = p.getValueAsString();
                    if (v != null) {
                        into.set(index, v);
                    }
                }
                case "boolValue" -> {
                    if (!t.isBoolean()) {
                        throw wrongType("boolValue", "true or false", p);
                    }
                    into.set(index, p.getBooleanValue());
                }
                case "intValue" -> into.setNumber(index, readInt64(p, "intValue"));
                case "doubleValue" -> into.setNumber(index, readDouble(p));
                case "arrayValue" -> into.set(index, readComposite(p, 0, false));
                case "kvlistValue" -> into.set(index, readComposite(p, 0, true));
                default -> p.skipChildren();
            }
        }
    }

    private LlmRequest toRequest(Span s, ModelCallRule.Verdict verdict) {
        String traceId = s.traceId.toHex("traceId", 16);
        String spanId = s.spanId.toHex("spanId", 8);
        if (!s.hasStart) {
            throw new InvalidInputException(InvalidReason.MISSING_FIELD, "no startTimeUnixNano");
        }
        if (!s.hasEnd) {
            throw new InvalidInputException(InvalidReason.MISSING_FIELD, "no endTimeUnixNano");
        }
        if (s.endNanos < s.startNanos) {
            throw new InvalidInputException(
                    InvalidReason.INVALID_VALUE,
                    "endTimeUnixNano "
                            + s.endNanos
                            + " is before startTimeUnixNano "
                            + s.startNanos);
        }
        AttributeValues a = s.attributes;
        LlmRequest r = new LlmRequest();
        r.eventTimeMs = s.endNanos / 1_000_000L;
        r.latencyMs = (s.endNanos - s.startNanos) / 1_000_000.0;
        r.traceId = traceId;
        r.spanId = spanId;
        r.kind = verdict.kind();
        r.operation = verdict.operation();
        if (verdict.kind() == RequestKind.TOOL_EXECUTION) {
            // One key per service for its tools: a tool's name never becomes a key value.
            r.provider = "-";
            r.model = "-";
        } else {
            readModelCall(a, r);
        }
        String errorType = a.string(GenAiAttributes.ERROR_TYPE);
        r.rateLimited =
                RateLimitSigns.rateLimited(
                        errorType, a.numberOrNaN(GenAiAttributes.HTTP_STATUS), s.statusMessage);
        r.error = s.statusError || errorType != null || r.rateLimited;
        r.errorType =
                errorType != null
                        ? errorType
                        : s.statusError
                                ? orDefault(s.statusMessage, "status_error")
                                : r.rateLimited ? "rate_limited" : null;
        return r;
    }

    private void readModelCall(AttributeValues a, LlmRequest r) {
        r.provider = orDefault(a.firstString(GenAiAttributes.PROVIDER), "unknown");
        if (a.has(GenAiAttributes.AI_SDK_OPERATION) && r.provider.indexOf('.') > 0) {
            // the AI SDK names a provider with its API: openai.chat, openai.responses,
            // openai.embedding; one provider is one key whichever API a call used
            r.provider = r.provider.substring(0, r.provider.indexOf('.'));
        }
        r.requestModel = modelName(a, GenAiAttributes.REQUEST_MODEL);
        if (r.requestModel == null && a.has(GenAiAttributes.INVOCATION_PARAMETERS)) {
            r.requestModel = modelOfInvocation(a.string(GenAiAttributes.INVOCATION_PARAMETERS));
        }
        r.responseModel = modelName(a, GenAiAttributes.RESPONSE_MODEL);
        r.model = naming.keyModel(r.requestModel, r.responseModel);
        r.inputTokens = a.number(GenAiAttributes.INPUT_TOKENS);
        r.outputTokens = a.number(GenAiAttributes.OUTPUT_TOKENS);
        r.cachedInputTokens = a.number(GenAiAttributes.CACHED_INPUT_TOKENS);
        if (r.inputTokens == 0 && (r.outputTokens == 0 || Double.isNaN(r.outputTokens))) {
            // No call reads zero tokens: this is a library's empty usage (Spring AI sends "0"
            // and "0" for a stream whose usage was not asked for), not a measurement.
            r.inputTokens = Double.NaN;
            r.outputTokens = Double.NaN;
            r.cachedInputTokens = Double.NaN;
        }
        double ttftSeconds = a.number(GenAiAttributes.TTFT_SECONDS);
        r.ttftMs =
                Double.isNaN(ttftSeconds)
                        ? a.number(GenAiAttributes.TTFT_MS)
                        : ttftSeconds * 1000.0;
        r.costUsd = a.number(GenAiAttributes.COST_USD);
        r.finishReason = FinishReasons.first(a.firstString(GenAiAttributes.FINISH_REASON));
        r.promptText = a.firstString(GenAiAttributes.PROMPT_TEXT);
        r.completionText = a.firstString(GenAiAttributes.COMPLETION_TEXT);
    }

    /** The first name present; Spring AI writes {@code none} for a model it does not know. */
    private static String modelName(AttributeValues a, int[] indices) {
        for (int i : indices) {
            String m = a.string(i);
            if (m != null && !m.isEmpty() && !"none".equals(m)) {
                return m;
            }
        }
        return null;
    }

    /** {@code "model"} of OpenInference's invocation parameters (a JSON object); or null. */
    private String modelOfInvocation(String parameters) {
        try (JsonParser p = json().createParser(parameters)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("model".equals(field) && t == JsonToken.VALUE_STRING) {
                    String m = p.getText();
                    return m.isEmpty() ? null : m;
                }
                p.skipChildren();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: the parameters add a name, they are not required
        }
        return null;
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

    /**
     * A 64-bit integer, written as a JSON string (the OTLP/JSON rule) or a plain number; parsed
     * from the parser's characters, so a span's times cost no String.
     */
    static long readInt64(JsonParser p, String name) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            try {
                return p.getLongValue();
            } catch (com.fasterxml.jackson.core.exc.InputCoercionException e) {
                throw wrongType(name, "a 64-bit integer", p);
            }
        }
        if (t == JsonToken.VALUE_STRING) {
            char[] c = p.getTextCharacters();
            int from = p.getTextOffset();
            int to = from + p.getTextLength();
            while (from < to && Character.isWhitespace(c[from])) {
                from++;
            }
            while (to > from && Character.isWhitespace(c[to - 1])) {
                to--;
            }
            boolean negative = from < to && c[from] == '-';
            int i = negative || (from < to && c[from] == '+') ? from + 1 : from;
            if (i == to) {
                throw wrongType(name, "a 64-bit integer", p);
            }
            long v = 0; // accumulated negative, so Long.MIN_VALUE fits
            for (; i < to; i++) {
                int d = c[i] - '0';
                if (d < 0 || d > 9 || v < (Long.MIN_VALUE + d) / 10) {
                    throw wrongType(name, "a 64-bit integer", p);
                }
                v = v * 10 - d;
            }
            if (!negative && v == Long.MIN_VALUE) {
                throw wrongType(name, "a 64-bit integer", p);
            }
            return negative ? v : -v;
        }
        throw wrongType(name, "a 64-bit integer", p);
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

    private static String orDefault(String v, String d) {
        return v == null || v.isEmpty() ? d : v;
    }

    /** The last resources read, by their bytes; a few, and none of more than 16 KiB. */
    private static final class RecentResources {
        private static final int SIZE = 8;
        private static final int MAX_BYTES = 16 * 1024;
        private final byte[][] bytes = new byte[SIZE][];
        private final Resource[] resources = new Resource[SIZE];
        private int next;

        Resource find(byte[] message, int from, int to) {
            for (int i = 0; i < SIZE; i++) {
                byte[] b = bytes[i];
                if (b != null
                        && b.length == to - from
                        && java.util.Arrays.equals(b, 0, b.length, message, from, to)) {
                    return resources[i];
                }
            }
            return null;
        }

        void add(byte[] message, int from, int to, Resource resource) {
            if (to - from > MAX_BYTES) {
                return;
            }
            bytes[next] = java.util.Arrays.copyOfRange(message, from, to);
            resources[next] = resource;
            next = (next + 1) % SIZE;
        }
    }

    /** What a request takes from its resource. */
    private record Resource(String service, String environment, String namespace) {
        static final Resource NONE = new Resource(null, null, null);

        void applyTo(LlmRequest r) {
            r.service = service != null ? service : "unknown_service";
            r.environment = environment;
            r.namespace = namespace;
        }
    }

    /**
     * A trace or span id as the characters the message holds, decoded (and checked) only for a span
     * that becomes a request: a bad id of a span nobody uses is nobody's problem.
     */
    private static final class IdChars {
        /** Longer ids are neither hex nor base64 of 16 bytes; 64 characters keep the message. */
        private final char[] chars = new char[64];

        private int length;
        private boolean seen;

        void clear() {
            seen = false;
            length = 0;
        }

        void read(JsonParser p, String name) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw wrongType(name, "a hex or base64 string", p);
            }
            length = p.getTextLength();
            System.arraycopy(
                    p.getTextCharacters(),
                    p.getTextOffset(),
                    chars,
                    0,
                    Math.min(length, chars.length));
            seen = true;
        }

        /** Lower-case hex of {@code bytes} bytes from hex (any case) or base64; null if empty. */
        String toHex(String name, int bytes) {
            if (!seen || length == 0) {
                return null;
            }
            if (length == bytes * 2 && isHex()) {
                String s = new String(chars, 0, length);
                return s.toLowerCase(Locale.ROOT);
            }
            if (length <= chars.length) {
                try {
                    byte[] raw = Base64.getDecoder().decode(new String(chars, 0, length));
                    if (raw.length == bytes) {
                        return HexFormat.of().formatHex(raw);
                    }
                } catch (IllegalArgumentException ignored) {
                    // falls through to the error below
                }
            }
            String shown =
                    length <= chars.length
                            ? abbreviate(new String(chars, 0, length))
                            : new String(chars, 0, chars.length) + "...";
            throw new InvalidInputException(
                    InvalidReason.INVALID_VALUE,
                    name + " '" + shown + "' is neither " + bytes + " bytes of hex nor base64");
        }

        private boolean isHex() {
            for (int i = 0; i < length; i++) {
                if (Character.digit(chars[i], 16) < 0) {
                    return false;
                }
            }
            return true;
        }

        String describe() {
            return seen && length > 0 ? new String(chars, 0, Math.min(length, chars.length)) : null;
        }
    }

    /** One span as read so far; one instance per reader, cleared for every span. */
    private static final class Span {
        final IdChars traceId = new IdChars();
        final IdChars spanId = new IdChars();
        long startNanos;
        long endNanos;
        boolean hasStart;
        boolean hasEnd;
        boolean statusError;
        String statusMessage;
        final AttributeValues attributes = new AttributeValues();

        void clear() {
            traceId.clear();
            spanId.clear();
            hasStart = false;
            hasEnd = false;
            statusError = false;
            statusMessage = null;
            attributes.clear();
        }

        String describe() {
            String id = spanId.describe();
            return id != null ? id : "(no spanId)";
        }
    }
}

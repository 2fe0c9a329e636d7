package io.llmsentinel.functions.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.functions.model.LlmRequest;
import java.io.CharConversionException;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads the flat JSON event of the older Rust service (topic {@code llm.telemetry}): {@code
 * event_id, timestamp, service_name, trace_id, span_id, model, prompt{text,tokens},
 * response{text,tokens,finish_reason}, latency_ms, cost_usd, metadata, errors[]}. The timestamp is
 * ISO-8601 or epoch milliseconds; {@code metadata.provider}, {@code metadata.operation} and {@code
 * metadata.environment} fill those dimensions when present. The event's {@code model} is taken as
 * the request's model ({@link ModelNaming} strips a dated snapshot from the key's); {@code
 * response.finish_reason} gives the finish reason, and an error of {@code errors[]} that names a
 * 429 or a rate limit marks the request rate-limited.
 */
public final class NativeEventReader implements TelemetryReader {
    private static final long serialVersionUID = 1L;

    private final int maxMessageBytes;
    private final RequestChecks checks;
    private final ModelNaming naming;
    private transient ObjectMapper mapper;

    /** The default limit on event times ahead of the clock: 5 minutes. */
    public static final long DEFAULT_MAX_FUTURE_MS = 5 * 60_000L;

    public NativeEventReader(PriceTable prices, int maxMessageBytes, int maxTextChars) {
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
    public NativeEventReader(
            PriceTable prices,
            int maxMessageBytes,
            int maxTextChars,
            long maxFutureMs,
            RequestChecks.Clock clock) {
        this(prices, maxMessageBytes, maxTextChars, maxFutureMs, clock, ModelNaming.DEFAULT);
    }

    /**
     * @param naming how the key's model is cleaned ({@code keys.strip-model-snapshot})
     */
    public NativeEventReader(
            PriceTable prices,
            int maxMessageBytes,
            int maxTextChars,
            long maxFutureMs,
            RequestChecks.Clock clock,
            ModelNaming naming) {
        this.maxMessageBytes = maxMessageBytes;
        this.checks = new RequestChecks(prices, maxTextChars, maxFutureMs, clock);
        this.naming = naming;
    }

    private ObjectMapper mapper() {
        if (mapper == null) {
            mapper =
                    new ObjectMapper(
                            JsonFactory.builder()
                                    .streamReadConstraints(
                                            StreamReadConstraints.builder()
                                                    .maxNestingDepth(OtlpTraceReader.MAX_NESTING)
                                                    .build())
                                    .build());
        }
        return mapper;
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
        JsonNode root;
        try {
            root = mapper().readTree(message);
        } catch (CharConversionException e) {
            return ReadResult.ofInvalid(InvalidReason.INVALID_ENCODING, e.getMessage());
        } catch (StreamConstraintsException e) {
            return ReadResult.ofInvalid(InvalidReason.TOO_DEEP, e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            String m = String.valueOf(e.getOriginalMessage());
            return ReadResult.ofInvalid(
                    m.contains("UTF-8")
                            ? InvalidReason.INVALID_ENCODING
                            : InvalidReason.INVALID_JSON,
                    m);
        } catch (IOException e) {
            return ReadResult.ofInvalid(InvalidReason.INVALID_JSON, String.valueOf(e));
        }
        try {
            if (root == null || !root.isObject()) {
                throw new InvalidInputException(
                        InvalidReason.WRONG_TYPE, "the message must be a JSON object");
            }
            LlmRequest r = toRequest(root);
            checks.complete(r);
            ReadResult result = new ReadResult();
            result.addCleanedDimensions(checks.cleanDimensions(r));
            result.add(r);
            return result;
        } catch (InvalidInputException e) {
            return ReadResult.ofInvalid(e.reason(), e.getMessage());
        }
    }

    private LlmRequest toRequest(JsonNode e) {
        LlmRequest r = new LlmRequest();
        r.eventTimeMs = timestamp(required(e, "timestamp"));
        r.service = text(required(e, "service_name"), "service_name");
        r.requestModel = text(required(e, "model"), "model");
        r.model = naming.keyModel(r.requestModel, null);
        r.latencyMs = number(required(e, "latency_ms"), "latency_ms");
        JsonNode meta = e.path("metadata");
        r.provider = metaText(meta, "provider", "unknown");
        r.operation = metaText(meta, "operation", "chat");
        r.environment = metaText(meta, "environment", null);
        r.traceId = optionalText(e, "trace_id");
        r.spanId = optionalText(e, "span_id");
        JsonNode prompt = e.path("prompt");
        JsonNode response = e.path("response");
        r.inputTokens = optionalNumber(prompt, "tokens", "prompt.tokens");
        r.outputTokens = optionalNumber(response, "tokens", "response.tokens");
        r.promptText = optionalText(prompt, "text");
        r.completionText = optionalText(response, "text");
        JsonNode finish = response.get("finish_reason");
        r.finishReason =
                finish != null && finish.isTextual()
                        ? FinishReasons.normalize(finish.asText())
                        : null;
        r.costUsd = optionalNumber(e, "cost_usd", "cost_usd");
        r.ttftMs = optionalNumber(e, "ttft_ms", "ttft_ms");
        JsonNode errors = e.path("errors");
        if (!errors.isMissingNode() && !errors.isNull() && !errors.isArray()) {
            throw new InvalidInputException(InvalidReason.WRONG_TYPE, "errors must be an array");
        }
        if (errors.isArray() && errors.size() > 0) {
            r.error = true;
            JsonNode first = errors.get(0);
            r.errorType =
                    first.isTextual()
                            ? first.asText()
                            : first.path("type").asText(first.path("code").asText("error"));
            for (JsonNode error : errors) {
                r.rateLimited |= rateLimited(error);
            }
        }
        return r;
    }

    /** An error as text or as an object with {@code type}, {@code code}, {@code message}, ... */
    private static boolean rateLimited(JsonNode error) {
        if (error.isTextual()) {
            return RateLimitSigns.says(error.asText());
        }
        if (!error.isObject()) {
            return false;
        }
        for (String field : new String[] {"type", "code", "message", "status"}) {
            JsonNode v = error.get(field);
            if (v != null && (v.isTextual() || v.isNumber()) && RateLimitSigns.says(v.asText())) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode required(JsonNode e, String field) {
        JsonNode v = e.get(field);
        if (v == null || v.isNull()) {
            throw new InvalidInputException(InvalidReason.MISSING_FIELD, "no '" + field + "'");
        }
        return v;
    }

    private static long timestamp(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isTextual()) {
            try {
                return Instant.parse(v.asText()).toEpochMilli();
            } catch (DateTimeParseException ex) {
                throw new InvalidInputException(
                        InvalidReason.INVALID_VALUE,
                        "timestamp '"
                                + OtlpTraceReader.abbreviate(v.asText())
                                + "' is not ISO-8601");
            }
        }
        throw new InvalidInputException(
                InvalidReason.WRONG_TYPE, "timestamp must be ISO-8601 text or epoch millis");
    }

    private static String text(JsonNode v, String name) {
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw new InvalidInputException(
                    InvalidReason.WRONG_TYPE, name + " must be a non-empty string");
        }
        return v.asText();
    }

    private static double number(JsonNode v, String name) {
        if (!v.isNumber()) {
            throw new InvalidInputException(InvalidReason.WRONG_TYPE, name + " must be a number");
        }
        double d = v.asDouble();
        if (!Double.isFinite(d)) {
            throw new InvalidInputException(InvalidReason.INVALID_VALUE, name + " is " + d);
        }
        return d;
    }

    private static double optionalNumber(JsonNode parent, String field, String name) {
        JsonNode v = parent.get(field);
        return v == null || v.isNull() ? Double.NaN : number(v, name);
    }

    private static String optionalText(JsonNode parent, String field) {
        JsonNode v = parent.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String metaText(JsonNode meta, String field, String fallback) {
        JsonNode v = meta.get(field);
        return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : fallback;
    }
}

package io.llmsentinel.functions.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmsentinel.functions.model.MetricPoint;
import io.llmsentinel.functions.model.RequestKind;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads an OTLP/JSON {@code ExportMetricsServiceRequest} (the Collector's Kafka exporter with
 * {@code encoding: otlp_json}) into one {@link MetricPoint} per data point of a GenAI metric of the
 * OpenTelemetry semantic conventions:
 *
 * <ul>
 *   <li>{@code gen_ai.client.operation.duration}, {@code gen_ai.server.request.duration} (and
 *       OpenLLMetry's older {@code llm.operation.duration}): {@link MetricPoint.Kind#DURATION};
 *   <li>{@code gen_ai.client.token.usage} (and {@code llm.token.usage}) by {@code
 *       gen_ai.token.type} {@code input}/{@code output} (older {@code prompt}/{@code completion});
 *   <li>{@code gen_ai.server.time_to_first_token}, {@code
 *       gen_ai.client.operation.time_to_first_chunk}, OpenLLMetry's {@code
 *       llm.openai.chat_completions.streaming_time_to_first_token};
 *   <li>{@code gen_ai.server.time_per_output_token}, {@code
 *       gen_ai.client.operation.time_per_output_chunk}.
 * </ul>
 *
 * Histograms and sums (monotonic counters) are read, delta or cumulative; durations are turned into
 * milliseconds by their unit ({@code s}, {@code ms}). Dimensions come from the same attributes as
 * spans (resource {@code service.name}, point {@code gen_ai.provider.name} / {@code gen_ai.system},
 * {@code gen_ai.request.model} / {@code gen_ai.response.model}, {@code gen_ai.operation.name}). The
 * model follows {@link ModelNaming} as for spans, so a key's points and requests meet; a point
 * whose {@code gen_ai.operation.name} is not a model call ({@link ModelCallRule}: agents, tools,
 * frameworks) is skipped. Other metrics are counted as skipped. A point that cannot be used (a
 * negative count, buckets that do not add up, a time ahead of the clock) is invalid with its
 * reason; the other points of the message still count.
 */
public final class OtlpMetricsReader implements TelemetryReader {
    /**
     * Buckets a histogram point may have: SDK defaults have 16, exponential-to-explicit exports a
     * few dozen; more would make its key's state large.
     */
    static final int MAX_BUCKETS = 160;

    private static final long serialVersionUID = 1L;

    private static final Map<String, MetricPoint.Kind> NAMES =
            Map.ofEntries(
                    Map.entry("gen_ai.client.operation.duration", MetricPoint.Kind.DURATION),
                    Map.entry("gen_ai.server.request.duration", MetricPoint.Kind.DURATION),
                    Map.entry("llm.operation.duration", MetricPoint.Kind.DURATION),
                    Map.entry("gen_ai.client.token.usage", MetricPoint.Kind.INPUT_TOKENS),
                    Map.entry("llm.token.usage", MetricPoint.Kind.INPUT_TOKENS),
                    Map.entry(
                            "gen_ai.server.time_to_first_token",
                            MetricPoint.Kind.TIME_TO_FIRST_TOKEN),
                    Map.entry(
                            "gen_ai.client.operation.time_to_first_chunk",
                            MetricPoint.Kind.TIME_TO_FIRST_TOKEN),
                    Map.entry(
                            "llm.openai.chat_completions.streaming_time_to_first_token",
                            MetricPoint.Kind.TIME_TO_FIRST_TOKEN),
                    Map.entry(
                            "gen_ai.server.time_per_output_token",
                            MetricPoint.Kind.TIME_PER_OUTPUT_TOKEN),
                    Map.entry(
                            "gen_ai.client.operation.time_per_output_chunk",
                            MetricPoint.Kind.TIME_PER_OUTPUT_TOKEN));

    private static final long MIN_TIME_MS = 946_684_800_000L;
    private static final long MAX_TIME_MS = 4_102_444_800_000L;
    private static final long MAX_COUNT = 1_000_000_000_000L;

    private final int maxMessageBytes;
    private final ModelNaming naming;
    private final long maxFutureMs;
    private final RequestChecks.Clock clock;
    private transient ObjectMapper json;

    public OtlpMetricsReader(int maxMessageBytes) {
        this(maxMessageBytes, OtlpTraceReader.DEFAULT_MAX_FUTURE_MS, System::currentTimeMillis);
    }

    public OtlpMetricsReader(int maxMessageBytes, long maxFutureMs, RequestChecks.Clock clock) {
        this(maxMessageBytes, maxFutureMs, clock, ModelNaming.DEFAULT);
    }

    /**
     * @param naming which model name a key uses ({@code keys.model-name}, ...), as for spans
     */
    public OtlpMetricsReader(
            int maxMessageBytes, long maxFutureMs, RequestChecks.Clock clock, ModelNaming naming) {
        this.naming = naming;
        this.maxMessageBytes = maxMessageBytes;
        this.maxFutureMs = maxFutureMs;
        this.clock = clock;
    }

    private ObjectMapper json() {
        if (json == null) {
            json =
                    new ObjectMapper(
                            JsonFactory.builder()
                                    .streamReadConstraints(
                                            StreamReadConstraints.builder()
                                                    .maxNestingDepth(OtlpTraceReader.MAX_NESTING)
                                                    .maxStringLength(maxMessageBytes)
                                                    .build())
                                    .build());
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
        JsonNode root;
        try {
            root = json().readTree(message);
        } catch (StreamConstraintsException e) {
            return ReadResult.ofInvalid(InvalidReason.TOO_DEEP, e.getOriginalMessage());
        } catch (CharConversionException e) {
            return ReadResult.ofInvalid(InvalidReason.INVALID_ENCODING, e.getMessage());
        } catch (JsonProcessingException e) {
            String m = String.valueOf(e.getOriginalMessage());
            return ReadResult.ofInvalid(
                    m.contains("UTF-8") || m.contains("UTF8")
                            ? InvalidReason.INVALID_ENCODING
                            : InvalidReason.INVALID_JSON,
                    m);
        } catch (IOException | RuntimeException e) {
            return ReadResult.ofInvalid(InvalidReason.INVALID_JSON, String.valueOf(e));
        }
        if (root == null || !root.isObject()) {
            return ReadResult.ofInvalid(
                    InvalidReason.WRONG_TYPE,
                    "the message is not an ExportMetricsServiceRequest object");
        }
        JsonNode resourceMetrics = field(root, "resourceMetrics", "resource_metrics");
        if (resourceMetrics == null) {
            return ReadResult.ofInvalid(
                    InvalidReason.MISSING_FIELD,
                    "no 'resourceMetrics': not an OTLP ExportMetricsServiceRequest");
        }
        if (!resourceMetrics.isArray()) {
            return ReadResult.ofInvalid(
                    InvalidReason.WRONG_TYPE, "'resourceMetrics' must be an array");
        }
        ReadResult result = new ReadResult();
        try {
            for (JsonNode rm : resourceMetrics) {
                readResourceMetrics(rm, result);
            }
        } catch (InvalidInputException e) {
            return ReadResult.ofInvalid(e.reason(), e.getMessage());
        }
        return result;
    }

    private void readResourceMetrics(JsonNode rm, ReadResult result) {
        if (!rm.isObject()) {
            throw new InvalidInputException(
                    InvalidReason.WRONG_TYPE, "resourceMetrics[] must be an object");
        }
        Map<String, String> resource = attributes(rm.path("resource").path("attributes"));
        JsonNode scopes = field(rm, "scopeMetrics", "scope_metrics");
        if (scopes == null) {
            return;
        }
        if (!scopes.isArray()) {
            throw new InvalidInputException(
                    InvalidReason.WRONG_TYPE, "'scopeMetrics' must be an array");
        }
        for (JsonNode sm : scopes) {
            String scope = sm.path("scope").path("name").asText("");
            JsonNode metrics = sm.get("metrics");
            if (metrics == null) {
                continue;
            }
            if (!metrics.isArray()) {
                throw new InvalidInputException(
                        InvalidReason.WRONG_TYPE, "'metrics' must be an array");
            }
            for (JsonNode m : metrics) {
                readMetric(m, resource, scope, result);
            }
        }
    }

    private void readMetric(
            JsonNode m, Map<String, String> resource, String scope, ReadResult result) {
        String name = m.path("name").asText("");
        MetricPoint.Kind kind = NAMES.get(name);
        JsonNode body = null;
        boolean histogram = false;
        if (m.has("histogram")) {
            body = m.get("histogram");
            histogram = true;
        } else if (m.has("sum")) {
            body = m.get("sum");
        }
        JsonNode points = body == null ? null : body.get("dataPoints");
        int n = points != null && points.isArray() ? points.size() : 1;
        if (kind == null || body == null) {
            // not a GenAI metric, or a gauge/summary/exponential histogram of one: not used
            for (int i = 0; i < n; i++) {
                result.addSkipped(SkipReason.NOT_GENAI);
            }
            return;
        }
        if (points == null || !points.isArray()) {
            result.addInvalid(InvalidReason.WRONG_TYPE, name + ": 'dataPoints' must be an array");
            return;
        }
        boolean cumulative = temporality(body.get("aggregationTemporality"), name);
        double unitScale = unitScale(kind, m.path("unit").asText(""));
        for (JsonNode p : points) {
            try {
                MetricPoint mp =
                        point(p, name, kind, histogram, cumulative, unitScale, resource, scope);
                ModelCallRule.Verdict verdict = ModelCallRule.operation(mp.operation);
                if (verdict.kind() == RequestKind.MODEL_CALL) {
                    mp.operation = verdict.operation();
                    result.add(mp);
                } else {
                    // an agent's or a tool's duration: not a model's
                    result.addSkipped(
                            verdict.isSkipped() ? verdict.skipped() : SkipReason.OTHER_OPERATION);
                }
            } catch (InvalidInputException e) {
                result.addInvalid(e.reason(), name + " point: " + e.getMessage());
            }
        }
    }

    /** A point of a metric; throws with the reason it cannot be used. */
    private MetricPoint point(
            JsonNode p,
            String name,
            MetricPoint.Kind kind,
            boolean histogram,
            boolean cumulative,
            double unitScale,
            Map<String, String> resource,
            String scope) {
        if (!p.isObject()) {
            throw new InvalidInputException(
                    InvalidReason.WRONG_TYPE, "a data point must be an object");
        }
        Map<String, String> attrs = attributes(p.get("attributes"));
        MetricPoint mp = new MetricPoint();
        mp.kind = kind;
        if (kind == MetricPoint.Kind.INPUT_TOKENS) {
            String type = attrs.getOrDefault("gen_ai.token.type", "").toLowerCase(Locale.ROOT);
            switch (type) {
                case "input", "prompt" -> mp.kind = MetricPoint.Kind.INPUT_TOKENS;
                case "output", "completion" -> mp.kind = MetricPoint.Kind.OUTPUT_TOKENS;
                default ->
                        throw new InvalidInputException(
                                InvalidReason.MISSING_FIELD,
                                "token usage without gen_ai.token.type input or output");
            }
        }
        mp.service = Dimensions.clean(orDefault(resource.get("service.name"), "unknown_service"));
        mp.environment =
                Dimensions.clean(
                        orDefault(
                                resource.getOrDefault(
                                        "deployment.environment.name",
                                        resource.get("deployment.environment")),
                                "unknown"));
        mp.namespace = Dimensions.clean(orDefault(resource.get("service.namespace"), ""));
        mp.provider =
                Dimensions.clean(
                        orDefault(
                                first(
                                        attrs,
                                        "gen_ai.provider.name",
                                        "gen_ai.system",
                                        "llm.provider"),
                                "unknown"));
        mp.model =
                Dimensions.clean(
                        naming.keyModel(
                                model(attrs, "gen_ai.request.model"),
                                model(attrs, "gen_ai.response.model", "llm.model_name")));
        mp.operation = Dimensions.clean(orDefault(attrs.get("gen_ai.operation.name"), "chat"));
        mp.error = attrs.containsKey("error.type");
        mp.cumulative = cumulative;
        mp.timeMs = timeMs(p, "timeUnixNano", true);
        mp.startTimeMs = timeMs(p, "startTimeUnixNano", cumulative);
        if (mp.startTimeMs == 0) {
            mp.startTimeMs = mp.timeMs;
        }
        if (histogram) {
            mp.count = int64(p.get("count"), "count");
            mp.sum = p.has("sum") ? number(p.get("sum"), "sum") * unitScale : Double.NaN;
            JsonNode bounds = p.get("explicitBounds");
            JsonNode buckets = p.get("bucketCounts");
            if (buckets != null && buckets.isArray() && buckets.size() > 0) {
                int nb = buckets.size();
                if (nb > MAX_BUCKETS) {
                    // a window keeps the buckets in its key's state, read on every request
                    throw new InvalidInputException(
                            InvalidReason.INVALID_VALUE,
                            nb + " bucket counts (at most " + MAX_BUCKETS + " are kept)");
                }
                int nbounds = bounds != null && bounds.isArray() ? bounds.size() : 0;
                if (nbounds != nb - 1) {
                    throw new InvalidInputException(
                            InvalidReason.INVALID_VALUE,
                            nb + " bucket counts need " + (nb - 1) + " bounds, not " + nbounds);
                }
                mp.bounds = new double[nbounds];
                mp.buckets = new long[nb];
                long total = 0;
                for (int i = 0; i < nb; i++) {
                    mp.buckets[i] = int64(buckets.get(i), "bucketCounts");
                    total += mp.buckets[i];
                    if (i < nbounds) {
                        mp.bounds[i] = number(bounds.get(i), "explicitBounds") * unitScale;
                        if (i > 0 && mp.bounds[i] <= mp.bounds[i - 1]) {
                            throw new InvalidInputException(
                                    InvalidReason.INVALID_VALUE,
                                    "explicitBounds are not ascending");
                        }
                    }
                }
                if (total != mp.count) {
                    throw new InvalidInputException(
                            InvalidReason.INVALID_VALUE,
                            "bucket counts add up to " + total + ", not count " + mp.count);
                }
            }
            if (p.has("min")) {
                mp.min = number(p.get("min"), "min") * unitScale;
            }
            if (p.has("max")) {
                mp.max = number(p.get("max"), "max") * unitScale;
            }
        } else {
            JsonNode v = p.has("asDouble") ? p.get("asDouble") : p.get("asInt");
            if (v == null) {
                throw new InvalidInputException(
                        InvalidReason.MISSING_FIELD, "no asDouble or asInt");
            }
            mp.sum = number(v, "value") * unitScale;
            mp.count = 1;
        }
        if (!Double.isNaN(mp.sum) && (mp.sum < 0 || Double.isInfinite(mp.sum))) {
            throw new InvalidInputException(InvalidReason.INVALID_VALUE, "sum = " + mp.sum);
        }
        long ahead = mp.timeMs - clock.nowMs();
        if (ahead > maxFutureMs) {
            throw new InvalidInputException(
                    InvalidReason.CLOCK_SKEW,
                    "point time is " + ahead / 1000 + " s ahead of this clock");
        }
        mp.seriesId = seriesId(resource, scope, name, attrs);
        return mp;
    }

    /** The id of a series: its resource, scope, metric name and point attributes, hashed. */
    static String seriesId(
            Map<String, String> resource, String scope, String name, Map<String, String> attrs) {
        StringBuilder b = new StringBuilder(256);
        new TreeMap<>(resource)
                .forEach((k, v) -> b.append(k).append('=').append(v).append('\u001f'));
        b.append('\u001e').append(scope).append('\u001e').append(name).append('\u001e');
        new TreeMap<>(attrs).forEach((k, v) -> b.append(k).append('=').append(v).append('\u001f'));
        try {
            byte[] h =
                    MessageDigest.getInstance("SHA-256")
                            .digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean temporality(JsonNode t, String name) {
        if (t == null) {
            throw new InvalidInputException(
                    InvalidReason.MISSING_FIELD, name + ": no aggregationTemporality");
        }
        String s = t.asText();
        if (s.equals("2") || s.equals("AGGREGATION_TEMPORALITY_CUMULATIVE")) {
            return true;
        }
        if (s.equals("1") || s.equals("AGGREGATION_TEMPORALITY_DELTA")) {
            return false;
        }
        throw new InvalidInputException(
                InvalidReason.INVALID_VALUE, name + ": aggregationTemporality " + s);
    }

    /** Durations in milliseconds whatever their unit; tokens as they are. */
    private static double unitScale(MetricPoint.Kind kind, String unit) {
        if (kind == MetricPoint.Kind.INPUT_TOKENS || kind == MetricPoint.Kind.OUTPUT_TOKENS) {
            return 1;
        }
        return switch (unit) {
            case "ms" -> 1;
            case "us" -> 0.001;
            default -> 1000; // "s", the unit of the conventions
        };
    }

    private static long timeMs(JsonNode p, String field, boolean required) {
        JsonNode v = p.get(field);
        if (v == null) {
            if (required) {
                throw new InvalidInputException(InvalidReason.MISSING_FIELD, "no " + field);
            }
            return 0;
        }
        long nanos = int64(v, field);
        long ms = nanos / 1_000_000;
        if (ms < MIN_TIME_MS || ms > MAX_TIME_MS) {
            throw new InvalidInputException(
                    InvalidReason.INVALID_VALUE, field + " " + nanos + " is outside 2000..2100");
        }
        return ms;
    }

    private static long int64(JsonNode v, String what) {
        if (v == null) {
            throw new InvalidInputException(InvalidReason.MISSING_FIELD, "no " + what);
        }
        long x;
        if (v.isIntegralNumber()) {
            if (!v.canConvertToLong()) {
                throw new InvalidInputException(
                        InvalidReason.INVALID_VALUE, what + " is too large");
            }
            x = v.asLong();
        } else if (v.isTextual()) {
            try {
                x = Long.parseLong(v.asText());
            } catch (NumberFormatException e) {
                throw new InvalidInputException(
                        InvalidReason.WRONG_TYPE,
                        what + " is not an integer: " + OtlpTraceReader.abbreviate(v.asText()));
            }
        } else {
            throw new InvalidInputException(InvalidReason.WRONG_TYPE, what + " is not an integer");
        }
        if (x < 0 || x > MAX_COUNT && !what.endsWith("UnixNano")) {
            throw new InvalidInputException(InvalidReason.INVALID_VALUE, what + " = " + x);
        }
        return x;
    }

    private static double number(JsonNode v, String what) {
        double x;
        if (v != null && v.isNumber()) {
            x = v.asDouble();
        } else if (v != null && v.isTextual()) {
            try {
                x = Double.parseDouble(v.asText());
            } catch (NumberFormatException e) {
                throw new InvalidInputException(
                        InvalidReason.WRONG_TYPE, what + " is not a number");
            }
        } else {
            throw new InvalidInputException(InvalidReason.WRONG_TYPE, what + " is not a number");
        }
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            throw new InvalidInputException(InvalidReason.INVALID_VALUE, what + " = " + x);
        }
        return x;
    }

    /** A {@code KeyValue} list as text values (composite values are not used). */
    private static Map<String, String> attributes(JsonNode list) {
        Map<String, String> out = new TreeMap<>();
        if (list == null || list.isMissingNode() || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw new InvalidInputException(
                    InvalidReason.WRONG_TYPE, "attributes must be an array");
        }
        for (JsonNode kv : list) {
            if (!kv.isObject() || !kv.path("key").isTextual()) {
                throw new InvalidInputException(
                        InvalidReason.WRONG_TYPE, "an attribute needs a key");
            }
            JsonNode v = kv.path("value");
            String text = null;
            if (v.has("stringValue")) {
                text = v.get("stringValue").asText();
            } else if (v.has("intValue")) {
                text = v.get("intValue").asText();
            } else if (v.has("doubleValue")) {
                text = v.get("doubleValue").asText();
            } else if (v.has("boolValue")) {
                text = v.get("boolValue").asText();
            }
            if (text != null) {
                out.put(kv.get("key").asText(), text);
            }
        }
        return out;
    }

    private static JsonNode field(JsonNode o, String camel, String snake) {
        JsonNode v = o.get(camel);
        return v != null ? v : o.get(snake);
    }

    private static String first(Map<String, String> attrs, String... names) {
        for (String n : names) {
            String v = attrs.get(n);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }

    /** The first model name present; Spring AI writes {@code none} for one it does not know. */
    private static String model(Map<String, String> attrs, String... names) {
        String m = first(attrs, names);
        return "none".equals(m) ? null : m;
    }

    private static String orDefault(String v, String d) {
        return v == null || v.isEmpty() ? d : v;
    }
}

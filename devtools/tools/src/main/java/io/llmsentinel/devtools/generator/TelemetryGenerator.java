package io.llmsentinel.devtools.generator;

import io.llmsentinel.testkit.OtlpJsonTraces;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Realistic LLM telemetry as the OpenTelemetry Collector's Kafka exporter writes it: spans made by
 * the real OpenTelemetry Java SDK and marshalled by its OTLP/JSON exporter, one {@code
 * ExportTraceServiceRequest} per message. Each message holds 1..N spans of one service: an HTTP
 * server span (not an LLM span) with a GenAI client span under it, per request, and for the
 * services that use tools, now and then an {@code execute_tool} span before the model call (as long
 * as the message has room for it).
 *
 * <p>Values follow lognormal distributions around each service's medians; latency is time to first
 * token plus output tokens at the service's generation speed, and cost follows tokens and the
 * model's price. By default a {@link HeavyTail} makes about 1 call in 1,000 wait 20-100 times its
 * service's median before its first token, as real APIs do; it draws from a random stream of its
 * own, so the rest of the traffic of a seed is the same with the tail or without. How each call
 * ends beyond that (finish reason, prompt cache, tools, throttling: {@link CallOutcome}) comes from
 * a third stream, for the same reason. Incidents change those values while they are active.
 * Deterministic for a seed.
 */
public final class TelemetryGenerator implements AutoCloseable {

    private final Random random;
    private final HeavyTail tail;
    private final Random tailRandom;
    private final Random outcomeRandom;
    private final List<ServiceProfile> profiles;
    private final double totalWeight;
    private final List<Incident> incidents;
    private final int maxSpansPerMessage;
    private final Map<String, SdkTracerProvider> providers = new HashMap<>();
    private final OtlpJsonTraces otlp = new OtlpJsonTraces();

    /**
     * Ordinary spans per model call (the application's server span, its database queries, cache
     * reads, calls to other services): 1 by default (one LLM span in two), 19 for one in twenty.
     */
    private int ordinaryPerCall = 1;

    /** The ordinary spans' own random stream: their number does not change the model calls. */
    private final Random ordinaryRandom;

    private long llmSpans;
    private long otherSpans;
    private long toolSpans;
    private long tailCalls;

    /** With the default heavy tail. */
    public TelemetryGenerator(long seed, List<Incident> incidents, int maxSpansPerMessage) {
        this(seed, incidents, maxSpansPerMessage, HeavyTail.DEFAULT);
    }

    public TelemetryGenerator(
            long seed, List<Incident> incidents, int maxSpansPerMessage, HeavyTail tail) {
        this.random = new Random(seed);
        this.tail = tail;
        this.tailRandom = new Random(seed ^ 0x5DEECE66DL ^ 0x7A11L);
        this.outcomeRandom = new Random(seed ^ 0x5DEECE66DL ^ 0x0C0DEL);
        this.ordinaryRandom = new Random(seed ^ 0x0DD5L);
        this.profiles = ServiceProfile.defaults();
        this.totalWeight = profiles.stream().mapToDouble(ServiceProfile::weight).sum();
        this.incidents = List.copyOf(incidents);
        this.maxSpansPerMessage = Math.max(1, maxSpansPerMessage);
    }

    /**
     * The share of LLM spans among all spans: 0.5 (the default) sends one ordinary span (the
     * application's server span) per model call; 0.05 sends nineteen, as an application whose every
     * request also queries a database, reads a cache and calls other services does. The model calls
     * themselves are the same for a seed whatever the share. Needs at least 2 spans per message
     * (with 1, only the LLM span fits).
     */
    public TelemetryGenerator llmShare(double share) {
        if (!(share > 0 && share <= 0.5)) {
            throw new IllegalArgumentException("llm share must be in (0, 0.5], not " + share);
        }
        this.ordinaryPerCall = (int) Math.round(1 / share - 1);
        return this;
    }

    /** The service and model an incident of this type is injected into by default. */
    public static String[] defaultTarget(Incident.Type type) {
        return switch (type) {
            case LATENCY_SPIKE, COST_JUMP, CONTENT_FILTER -> new String[] {"support-bot", "gpt-4o"};
            case TOKEN_EXPLOSION, CACHE_MISS, TOOL_FAILURES ->
                    new String[] {"code-assistant", "claude-3-5-sonnet-20241022"};
            case ERROR_BURST, TRUNCATION ->
                    new String[] {"search-summarizer", "gpt-4o-mini-2024-07-18"};
            case RATE_LIMITED -> new String[] {"rag-api", "meta.llama3-1-70b-instruct-v1:0"};
        };
    }

    /** Names of all simulated services. */
    public static List<String> services() {
        return ServiceProfile.defaults().stream().map(ServiceProfile::service).toList();
    }

    /** One message: requests of one service that ended at or shortly before {@code eventTimeMs}. */
    public byte[] nextMessage(long eventTimeMs) {
        ServiceProfile p = pickService();
        int requests = 1 + random.nextInt(Math.max(1, maxSpansPerMessage / 2));
        if (maxSpansPerMessage == 1) {
            // Only the LLM span fits.
            emitRequest(p, eventTimeMs, false, false);
        } else {
            // Two spans per request; a tool span only where the message has room left.
            int room = maxSpansPerMessage - 2 * requests;
            for (int i = 0; i < requests; i++) {
                if (emitRequest(p, eventTimeMs - random.nextInt(400), true, room > 0)) {
                    room--;
                }
            }
        }
        return otlp.drain();
    }

    /** Spans the job reads as requests: model calls and tool executions. */
    public long llmSpans() {
        return llmSpans;
    }

    /** Of {@link #llmSpans}, the tool executions. */
    public long toolSpans() {
        return toolSpans;
    }

    public long otherSpans() {
        return otherSpans;
    }

    public HeavyTail heavyTail() {
        return tail;
    }

    /** Successful calls the heavy tail slowed down. */
    public long tailCalls() {
        return tailCalls;
    }

    /** The service's median call, in milliseconds: what a tail factor multiplies. */
    static double medianCallMs(ServiceProfile p) {
        return "embeddings".equals(p.operation())
                ? 60 + p.medianInputTokens() / 40.0
                : p.medianTtftMs() + p.medianOutputTokens() * 1000.0 / p.medianTokensPerSecond();
    }

    private ServiceProfile pickService() {
        double x = random.nextDouble() * totalWeight;
        for (ServiceProfile p : profiles) {
            x -= p.weight();
            if (x < 0) {
                return p;
            }
        }
        return profiles.get(profiles.size() - 1);
    }

    private Incident.Type activeIncident(ServiceProfile p, long t) {
        for (Incident i : incidents) {
            if (i.activeAt(t, p.service())) {
                return i.type();
            }
        }
        return null;
    }

    /** One request; returns whether it executed a tool (a span more in the message). */
    private boolean emitRequest(
            ServiceProfile p, long endMs, boolean withParent, boolean roomForTool) {
        Incident.Type incident = activeIncident(p, endMs);
        CallOutcome outcome = CallOutcome.draw(p.habits(), incident, outcomeRandom);
        boolean embeddings = "embeddings".equals(p.operation());
        double errorRate = incident == Incident.Type.ERROR_BURST ? 0.6 : p.errorRate();
        boolean error = random.nextDouble() < errorRate;
        boolean throttled = !error && outcome.throttled();

        double inputTokens = Math.max(1, Math.round(lognormal(p.medianInputTokens(), 0.45)));
        double outputTokens =
                embeddings ? 0 : Math.max(1, Math.round(lognormal(p.medianOutputTokens(), 0.45)));
        double ttftMs = embeddings ? 0 : lognormal(p.medianTtftMs(), 0.25);
        double tokensPerSecond = embeddings ? 0 : lognormal(p.medianTokensPerSecond(), 0.15);
        if (incident == Incident.Type.LATENCY_SPIKE) {
            ttftMs *= 5;
            tokensPerSecond /= 4;
        }
        if (incident == Incident.Type.TOKEN_EXPLOSION) {
            outputTokens = Math.min(16_000, outputTokens * 8);
        }
        double latencyMs =
                embeddings
                        ? lognormal(60, 0.3) + inputTokens / 40.0
                        : ttftMs + outputTokens * 1000.0 / tokensPerSecond;
        // The extra wait comes before the first token (queued, retried upstream, a cold
        // connection); the generation itself runs at its usual speed.
        double tailFactor = tail.factor(tailRandom);
        if (tailFactor > 1 && !error && !throttled) {
            double extra = (tailFactor - 1) * medianCallMs(p);
            latencyMs += extra;
            if (!embeddings) {
                ttftMs += extra;
            }
            tailCalls++;
        }
        String errorType = null;
        if (error) {
            boolean either = random.nextBoolean();
            // An error burst is a failure of one's own or the provider's, not throttling.
            errorType =
                    incident == Incident.Type.ERROR_BURST
                            ? (either ? "503" : "500")
                            : (either ? "429" : "500");
            outputTokens = 0;
            latencyMs = lognormal(180, 0.4);
            ttftMs = Double.NaN;
        }
        if (throttled) {
            error = true;
            errorType = "429";
            outputTokens = 0;
            latencyMs = outcome.throttledMs();
            ttftMs = Double.NaN;
        }
        double cost =
                (inputTokens * p.inputPricePerMillion() + outputTokens * p.outputPricePerMillion())
                        / 1_000_000.0;
        if (incident == Incident.Type.COST_JUMP) {
            cost *= 10;
        }

        Tracer tracer = tracer(p);
        long endNanos = endMs * 1_000_000L;
        long llmStartNanos = endNanos - Math.round(latencyMs * 1_000_000.0);
        boolean tool = withParent && roomForTool && outcome.tool() != null;
        // The tool ran just before the model call that uses its result.
        long toolEndNanos = llmStartNanos - 1_000_000L;
        long toolStartNanos = toolEndNanos - Math.round(outcome.toolMs() * 1_000_000.0);
        Context parentContext = Context.root();
        Span server = null;
        if (withParent) {
            server =
                    tracer.spanBuilder("POST /v1/" + p.operation())
                            .setSpanKind(SpanKind.SERVER)
                            .setStartTimestamp(
                                    (tool ? toolStartNanos : llmStartNanos) - 3_000_000L,
                                    TimeUnit.NANOSECONDS)
                            .setAttribute("http.request.method", "POST")
                            .setAttribute("http.route", "/v1/" + p.operation())
                            .startSpan();
            parentContext = Context.root().with(server);
        }
        if (tool) {
            boolean fails = outcome.toolFails(activeIncident(p, toolEndNanos / 1_000_000L));
            emitTool(tracer, parentContext, outcome.tool(), fails, toolStartNanos, toolEndNanos);
        }
        Span llm =
                tracer.spanBuilder(p.operation() + " " + p.model())
                        .setSpanKind(SpanKind.CLIENT)
                        .setParent(parentContext)
                        .setStartTimestamp(llmStartNanos, TimeUnit.NANOSECONDS)
                        .startSpan();
        setAttributes(llm, p, inputTokens, outputTokens, ttftMs, cost, error, errorType);
        if (!error && !embeddings) {
            setOutcome(llm, p, (long) inputTokens, outcome);
        }
        if (error) {
            llm.setStatus(StatusCode.ERROR, "provider returned " + errorType);
        }
        llm.end(endNanos, TimeUnit.NANOSECONDS);
        llmSpans++;
        if (server != null) {
            for (int k = 1; k < ordinaryPerCall; k++) {
                ordinarySpan(tracer, parentContext, k, llmStartNanos);
            }
            if (error) {
                server.setStatus(StatusCode.ERROR);
            }
            server.setAttribute("http.response.status_code", error ? 502L : 200L);
            server.end(endNanos + 2_000_000L, TimeUnit.NANOSECONDS);
            otherSpans++;
        }
        return tool;
    }

    /**
     * An {@code execute_tool} span of the conventions (the job keys every tool of a service
     * together and judges only how many fail).
     */
    private void emitTool(
            Tracer tracer,
            Context parent,
            String tool,
            boolean fails,
            long startNanos,
            long endNanos) {
        Span span =
                tracer.spanBuilder("execute_tool " + tool)
                        .setSpanKind(SpanKind.INTERNAL)
                        .setParent(parent)
                        .setStartTimestamp(startNanos, TimeUnit.NANOSECONDS)
                        .setAttribute("gen_ai.operation.name", "execute_tool")
                        .setAttribute("gen_ai.tool.name", tool)
                        .setAttribute("gen_ai.tool.type", "function")
                        .startSpan();
        if (fails) {
            span.setAttribute("error.type", "ToolExecutionError");
            span.setStatus(StatusCode.ERROR, tool + " failed");
        }
        span.end(endNanos, TimeUnit.NANOSECONDS);
        llmSpans++;
        toolSpans++;
    }

    /**
     * How the answer ended and how much of the prompt the cache served, under each convention's
     * names (OpenInference and the conventions' earlier cache name included).
     */
    private static void setOutcome(Span s, ServiceProfile p, long inputTokens, CallOutcome o) {
        switch (p.convention()) {
            case SEMCONV, SEMCONV_LEGACY ->
                    s.setAttribute(
                            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"),
                            List.of(o.finishReason()));
            case OPENINFERENCE -> s.setAttribute("llm.finish_reason", o.finishReason());
        }
        if (Double.isNaN(o.cachedShare())) {
            return;
        }
        long cached = Math.round(inputTokens * o.cachedShare());
        switch (p.convention()) {
            case SEMCONV -> s.setAttribute("gen_ai.usage.cache_read.input_tokens", cached);
            // OpenLLMetry's (Anthropic's) name, the conventions' earlier one
            case SEMCONV_LEGACY -> s.setAttribute("gen_ai.usage.cache_read_input_tokens", cached);
            case OPENINFERENCE ->
                    s.setAttribute("llm.token_count.prompt_details.cache_read", cached);
        }
    }

    /**
     * One of the application's own spans around a model call: a database query, a cache read, a
     * call to another service or a step of its own, as HTTP and database instrumentation records
     * them; none is a model call.
     */
    private void ordinarySpan(Tracer tracer, Context parent, int k, long beforeNanos) {
        long durationNanos = Math.round(4 * Math.exp(0.8 * ordinaryRandom.nextGaussian()) * 1e6);
        long start = beforeNanos - durationNanos - ordinaryRandom.nextInt(2_000_000);
        io.opentelemetry.api.trace.SpanBuilder b;
        switch (k % 4) {
            case 1 ->
                    b =
                            tracer.spanBuilder("SELECT app.conversations")
                                    .setSpanKind(SpanKind.CLIENT)
                                    .setAttribute("db.system.name", "postgresql")
                                    .setAttribute("db.operation.name", "SELECT")
                                    .setAttribute("db.collection.name", "conversations")
                                    .setAttribute(
                                            "db.query.text",
                                            "SELECT id, role, content FROM conversations WHERE"
                                                    + " user_id = $1 ORDER BY created_at DESC"
                                                    + " LIMIT 20")
                                    .setAttribute("server.address", "db.internal")
                                    .setAttribute("server.port", 5432L);
            case 2 ->
                    b =
                            tracer.spanBuilder("GET")
                                    .setSpanKind(SpanKind.CLIENT)
                                    .setAttribute("db.system.name", "redis")
                                    .setAttribute("db.operation.name", "GET")
                                    .setAttribute("server.address", "cache.internal")
                                    .setAttribute("server.port", 6379L);
            case 3 ->
                    b =
                            tracer.spanBuilder("GET")
                                    .setSpanKind(SpanKind.CLIENT)
                                    .setAttribute("http.request.method", "GET")
                                    .setAttribute(
                                            "url.full",
                                            "http://accounts.internal/v1/users/"
                                                    + ordinaryRandom.nextInt(100_000))
                                    .setAttribute("server.address", "accounts.internal")
                                    .setAttribute("http.response.status_code", 200L);
            default ->
                    b =
                            tracer.spanBuilder("render_prompt")
                                    .setSpanKind(SpanKind.INTERNAL)
                                    .setAttribute("code.function.name", "render_prompt")
                                    .setAttribute("app.template", "support/answer-v" + k);
        }
        Span s = b.setParent(parent).setStartTimestamp(start, TimeUnit.NANOSECONDS).startSpan();
        s.end(start + durationNanos, TimeUnit.NANOSECONDS);
        otherSpans++;
    }

    private void setAttributes(
            Span s,
            ServiceProfile p,
            double inputTokens,
            double outputTokens,
            double ttftMs,
            double cost,
            boolean error,
            String errorType) {
        long in = (long) inputTokens;
        long out = (long) outputTokens;
        switch (p.convention()) {
            case SEMCONV -> {
                s.setAttribute("gen_ai.provider.name", p.provider());
                s.setAttribute("gen_ai.operation.name", p.operation());
                s.setAttribute("gen_ai.request.model", p.model());
                s.setAttribute("gen_ai.response.model", p.model());
                s.setAttribute("gen_ai.usage.input_tokens", in);
                if (!"embeddings".equals(p.operation())) {
                    s.setAttribute("gen_ai.usage.output_tokens", out);
                    if (!Double.isNaN(ttftMs)) {
                        s.setAttribute("gen_ai.response.time_to_first_chunk", ttftMs / 1000.0);
                    }
                }
                if (p.reportsCost()) {
                    s.setAttribute("gen_ai.usage.cost", cost);
                }
                if (error) {
                    s.setAttribute("error.type", errorType);
                }
            }
            case SEMCONV_LEGACY -> {
                s.setAttribute("gen_ai.system", p.provider());
                s.setAttribute("gen_ai.operation.name", p.operation());
                s.setAttribute("gen_ai.request.model", p.model());
                s.setAttribute("gen_ai.usage.prompt_tokens", in);
                s.setAttribute("gen_ai.usage.completion_tokens", out);
                if (!Double.isNaN(ttftMs)) {
                    s.setAttribute("gen_ai.server.time_to_first_token", ttftMs / 1000.0);
                }
            }
            case OPENINFERENCE -> {
                s.setAttribute("openinference.span.kind", "LLM");
                s.setAttribute("llm.provider", p.provider());
                s.setAttribute("llm.model_name", p.model());
                s.setAttribute("llm.token_count.prompt", in);
                s.setAttribute("llm.token_count.completion", out);
                s.setAttribute("llm.token_count.total", in + out);
                if (p.reportsCost()) {
                    s.setAttribute("llm.cost.total", cost);
                }
                s.setAttribute(
                        AttributeKey.stringKey("input.value"),
                        "Customer jane.doe@example.com asks about invoice 4111 1111 1111 1111");
            }
        }
    }

    private Tracer tracer(ServiceProfile p) {
        SdkTracerProvider provider =
                providers.computeIfAbsent(
                        p.service(),
                        name ->
                                otlp.provider(
                                        Attributes.builder()
                                                .put("service.name", name)
                                                .put("deployment.environment.name", p.environment())
                                                .put("service.namespace", "llm-apps")
                                                .build()));
        return provider.get("io.llmsentinel.generator", "0.1.0");
    }

    /** Lognormal around a median, with the given sigma of the underlying normal. */
    private double lognormal(double median, double sigma) {
        return median * Math.exp(sigma * random.nextGaussian());
    }

    @Override
    public void close() {
        otlp.close();
    }
}

package io.llmsentinel.functions.bench;

import io.llmsentinel.functions.read.OtlpTraceReader;
import io.llmsentinel.functions.read.PreviousOtlpTraceReader;
import io.llmsentinel.functions.read.PriceTable;
import io.llmsentinel.functions.read.ReadResult;
import io.llmsentinel.functions.read.TelemetryReader;
import io.llmsentinel.testkit.OtlpJsonTraces;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The OTLP trace reader's cost per span, on the two mixes of issue 21: a realistic message of an
 * application's trace (20 spans: the HTTP server span, database, cache, outgoing HTTP and framework
 * spans, one of them the model call) and today's generator message (an HTTP server span and its
 * model call: 1:1). Each is read by the reader as it was at 9f03594 ({@code previous*}: every
 * span's attributes into a map, its ids and times as Strings) and by today's ({@code current*}), in
 * the same JVM run. Spans are made by the OpenTelemetry SDK and marshalled by its OTLP/JSON
 * exporter. Scores are per span ({@link OperationsPerInvocation}).
 *
 * <pre>
 * java -cp ... org.openjdk.jmh.Main ReaderBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc
 * </pre>
 *
 * <p>On a shared machine the wall-clock scores follow the neighbours' load; {@link #main} measures
 * the reading thread's own CPU time instead, the four variants taking turns round by round, and
 * prints each one's median ns of CPU per span:
 *
 * <pre>
 * java -cp ... io.llmsentinel.functions.bench.ReaderBenchmark [rounds, default 40]
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ReaderBenchmark {

    private static final int REALISTIC_SPANS = 20;
    private static final int ONE_TO_ONE_SPANS = 2;

    byte[] realistic;
    byte[] oneToOne;
    TelemetryReader previous;
    TelemetryReader current;

    @Setup
    public void setup() {
        realistic = realisticMessage();
        oneToOne = oneToOneMessage();
        PriceTable prices = new PriceTable(Map.of("gpt-4o", new PriceTable.Price(2.5, 10.0)));
        // as the job runs them: 4 MiB messages, no text kept, five minutes of clock skew allowed
        previous = new PreviousOtlpTraceReader(prices, 4 << 20, 0);
        current = new OtlpTraceReader(prices, 4 << 20, 0);
        check(previous.read(realistic), 19);
        check(current.read(realistic), 19);
        check(previous.read(oneToOne), 1);
        check(current.read(oneToOne), 1);
    }

    private static void check(ReadResult r, int skipped) {
        if (r.requests().size() != 1 || r.skipped() != skipped || !r.invalid().isEmpty()) {
            throw new IllegalStateException(
                    "the benchmark's message does not read as one model call and "
                            + skipped
                            + " other spans: "
                            + r.requests()
                            + " skipped="
                            + r.skipped()
                            + " "
                            + r.invalid());
        }
    }

    @Benchmark
    @OperationsPerInvocation(REALISTIC_SPANS)
    public ReadResult previousRealistic() {
        return previous.read(realistic);
    }

    @Benchmark
    @OperationsPerInvocation(REALISTIC_SPANS)
    public ReadResult currentRealistic() {
        return current.read(realistic);
    }

    @Benchmark
    @OperationsPerInvocation(ONE_TO_ONE_SPANS)
    public ReadResult previousOneToOne() {
        return previous.read(oneToOne);
    }

    @Benchmark
    @OperationsPerInvocation(ONE_TO_ONE_SPANS)
    public ReadResult currentOneToOne() {
        return current.read(oneToOne);
    }

    /** Median thread CPU ns per span of each variant, over rounds in which they take turns. */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        ReaderBenchmark b = new ReaderBenchmark();
        b.setup();
        java.lang.management.ThreadMXBean cpu =
                java.lang.management.ManagementFactory.getThreadMXBean();
        String[] names = {
            "previousRealistic", "currentRealistic", "previousOneToOne", "currentOneToOne"
        };
        TelemetryReader[] readers = {b.previous, b.current, b.previous, b.current};
        byte[][] messages = {b.realistic, b.realistic, b.oneToOne, b.oneToOne};
        int[] spans = {REALISTIC_SPANS, REALISTIC_SPANS, ONE_TO_ONE_SPANS, ONE_TO_ONE_SPANS};
        int reads = 20_000;
        double[][] nsPerSpan = new double[names.length][rounds];
        long sink = 0;
        for (int round = -rounds / 2; round < rounds; round++) { // the first half warms up
            for (int v = 0; v < names.length; v++) {
                long start = cpu.getCurrentThreadCpuTime();
                for (int i = 0; i < reads; i++) {
                    sink += readers[v].read(messages[v]).requests().size();
                }
                long used = cpu.getCurrentThreadCpuTime() - start;
                if (round >= 0) {
                    nsPerSpan[v][round] = used / (double) reads / spans[v];
                }
            }
        }
        for (int v = 0; v < names.length; v++) {
            double[] x = nsPerSpan[v].clone();
            java.util.Arrays.sort(x);
            System.out.printf(
                    "%-18s %8.0f ns CPU per span (median of %d rounds of %d reads; p10 %.0f,"
                            + " p90 %.0f)%n",
                    names[v],
                    x[x.length / 2],
                    rounds,
                    reads,
                    x[x.length / 10],
                    x[x.length * 9 / 10]);
        }
        if (sink == 42) {
            System.out.println();
        }
    }

    static byte[] realisticMessage() {
        try (OtlpJsonTraces otlp = new OtlpJsonTraces()) {
            Tracer tracer = otlp.provider(resource()).get("io.opentelemetry.spring-webmvc-6.0");
            long t = System.currentTimeMillis() * 1_000_000L - 2_000_000_000L;
            Span server =
                    tracer.spanBuilder("POST /api/chat")
                            .setSpanKind(SpanKind.SERVER)
                            .setStartTimestamp(t, TimeUnit.NANOSECONDS)
                            .setAllAttributes(
                                    Attributes.builder()
                                            .put("http.request.method", "POST")
                                            .put("http.route", "/api/chat")
                                            .put("url.path", "/api/chat")
                                            .put("url.scheme", "https")
                                            .put("server.address", "support.example.com")
                                            .put("server.port", 443L)
                                            .put("client.address", "10.12.4.17")
                                            .put("network.protocol.version", "1.1")
                                            .put(
                                                    "user_agent.original",
                                                    "Mozilla/5.0 (X11; Linux x86_64)"
                                                            + " AppleWebKit/537.36 Chrome/131.0")
                                            .put("thread.name", "http-nio-8080-exec-7")
                                            .build())
                            .startSpan();
            Context parent = Context.root().with(server);
            long at = t + 1_000_000L;
            for (int i = 0; i < 2; i++) {
                at = child(tracer, parent, "SecurityFilterChain", at, 300_000, framework(i));
            }
            for (int i = 0; i < 6; i++) {
                at = child(tracer, parent, "SELECT support.tickets", at, 900_000, database(i));
            }
            for (int i = 0; i < 4; i++) {
                at = child(tracer, parent, "GET", at, 200_000, cache(i));
            }
            for (int i = 0; i < 3; i++) {
                at = child(tracer, parent, "POST", at, 4_000_000, httpClient(i));
            }
            Span llm =
                    tracer.spanBuilder("chat gpt-4o")
                            .setSpanKind(SpanKind.CLIENT)
                            .setParent(parent)
                            .setStartTimestamp(at, TimeUnit.NANOSECONDS)
                            .setAllAttributes(modelCall())
                            .startSpan();
            llm.addEvent(
                    "gen_ai.content.prompt",
                    Attributes.of(AttributeKey.stringKey("gen_ai.prompt"), "(redacted)"));
            llm.end(at + 900_000_000L, TimeUnit.NANOSECONDS);
            at += 901_000_000L;
            for (int i = 0; i < 3; i++) {
                at = child(tracer, parent, "ResponseRenderer", at, 100_000, framework(i + 2));
            }
            server.setAttribute("http.response.status_code", 200L);
            server.end(at + 500_000L, TimeUnit.NANOSECONDS);
            return otlp.drain();
        }
    }

    static byte[] oneToOneMessage() {
        try (OtlpJsonTraces otlp = new OtlpJsonTraces()) {
            SdkTracerProvider provider = otlp.provider(resource());
            Tracer tracer = provider.get("support-bot");
            long t = System.currentTimeMillis() * 1_000_000L - 2_000_000_000L;
            Span server =
                    tracer.spanBuilder("POST /v1/chat")
                            .setSpanKind(SpanKind.SERVER)
                            .setStartTimestamp(t, TimeUnit.NANOSECONDS)
                            .setAttribute("http.request.method", "POST")
                            .setAttribute("http.route", "/v1/chat")
                            .startSpan();
            Span llm =
                    tracer.spanBuilder("chat gpt-4o")
                            .setSpanKind(SpanKind.CLIENT)
                            .setParent(Context.root().with(server))
                            .setStartTimestamp(t + 3_000_000L, TimeUnit.NANOSECONDS)
                            .setAllAttributes(modelCall())
                            .startSpan();
            llm.end(t + 903_000_000L, TimeUnit.NANOSECONDS);
            server.setAttribute("http.response.status_code", 200L);
            server.end(t + 905_000_000L, TimeUnit.NANOSECONDS);
            return otlp.drain();
        }
    }

    private static Attributes resource() {
        return Attributes.builder()
                .put("service.name", "support-bot")
                .put("service.namespace", "customer")
                .put("service.version", "2.14.1")
                .put("service.instance.id", "support-bot-7c9f8d6b5-x2kqp")
                .put("deployment.environment.name", "prod")
                .put("host.name", "ip-10-12-4-17.eu-west-1.compute.internal")
                .put("process.runtime.name", "OpenJDK Runtime Environment")
                .put("process.runtime.version", "21.0.5+11-LTS")
                .put("process.pid", 1L)
                .put("k8s.pod.name", "support-bot-7c9f8d6b5-x2kqp")
                .put("k8s.namespace.name", "customer")
                .put("telemetry.sdk.language", "java")
                .build();
    }

    private static Attributes modelCall() {
        return Attributes.builder()
                .put("gen_ai.operation.name", "chat")
                .put("gen_ai.provider.name", "openai")
                .put("gen_ai.request.model", "gpt-4o")
                .put("gen_ai.request.max_tokens", 1024L)
                .put("gen_ai.request.temperature", 0.2)
                .put("gen_ai.response.id", "chatcmpl-AxBc12DeFg34HiJk56LmNo78PqRs")
                .put("gen_ai.response.model", "gpt-4o-2024-08-06")
                .put(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of("stop"))
                .put("gen_ai.usage.input_tokens", 1234L)
                .put("gen_ai.usage.output_tokens", 321L)
                .put("gen_ai.usage.cache_read.input_tokens", 1024L)
                .put("server.address", "api.openai.com")
                .put("server.port", 443L)
                .build();
    }

    private static Attributes framework(int i) {
        return Attributes.builder()
                .put("code.function", i % 2 == 0 ? "doFilter" : "render")
                .put("code.namespace", "org.springframework.web.filter.OncePerRequestFilter")
                .put("thread.name", "http-nio-8080-exec-7")
                .put("thread.id", 41L)
                .build();
    }

    private static Attributes database(int i) {
        return Attributes.builder()
                .put("db.system", "postgresql")
                .put("db.namespace", "support")
                .put("db.operation.name", "SELECT")
                .put("db.collection.name", "tickets")
                .put(
                        "db.query.text",
                        "select t.id, t.subject, t.status, t.created_at, c.name from tickets t"
                                + " join customers c on c.id = t.customer_id where t.customer_id"
                                + " = ? and t.status in (?, ?) order by t.created_at desc limit ?")
                .put("server.address", "support-db.internal")
                .put("server.port", 5432L)
                .put("network.peer.address", "10.12.9." + (20 + i))
                .build();
    }

    private static Attributes cache(int i) {
        return Attributes.builder()
                .put("db.system", "redis")
                .put("db.operation.name", "GET")
                .put("db.query.text", "GET session:" + (73_000 + i))
                .put("server.address", "support-cache.internal")
                .put("server.port", 6379L)
                .build();
    }

    private static Attributes httpClient(int i) {
        return Attributes.builder()
                .put("http.request.method", "POST")
                .put("url.full", "https://crm.internal/api/v2/customers/" + (4400 + i) + "/notes")
                .put("server.address", "crm.internal")
                .put("server.port", 443L)
                .put("http.response.status_code", i == 2 ? 503L : 200L)
                .put("network.protocol.version", "1.1")
                .build();
    }

    private static long child(
            Tracer tracer,
            Context parent,
            String name,
            long start,
            long durationNanos,
            Attributes attributes) {
        Span s =
                tracer.spanBuilder(name)
                        .setSpanKind(SpanKind.CLIENT)
                        .setParent(parent)
                        .setStartTimestamp(start, TimeUnit.NANOSECONDS)
                        .setAllAttributes(attributes)
                        .startSpan();
        if (attributes.get(AttributeKey.longKey("http.response.status_code")) != null
                && attributes.get(AttributeKey.longKey("http.response.status_code")) >= 500) {
            s.setStatus(StatusCode.ERROR);
            s.recordException(new IllegalStateException("503 from crm.internal"));
        }
        s.end(start + durationNanos, TimeUnit.NANOSECONDS);
        return start + durationNanos + 100_000L;
    }
}

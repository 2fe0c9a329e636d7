package io.llmsentinel.corpus.jvm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the Spring AI corpus: two services (two Spring Boot applications in one JVM, each with its
 * own OpenTelemetry resource) call two models through Spring AI's ChatClient against a loopback
 * fake OpenAI server, and the spans their SDKs export are written to spans.jsonl.
 *
 * <pre>
 *   java -jar corpus-jvm.jar --server-url URL --out DIR [--start-ms MS] [--duration S] [--seed N]
 *       [--rate-min R] [--rate-max R] [--key-rate SERVICE/MODEL=R,...] [--stream-share F]
 *       [--usage-share-of-streams F] [--services a,b] [--models m1,m2] [--wait-for-server S]
 * </pre>
 *
 * The server is devtools/corpus/fake-openai/server.mjs, started with its incidents; the incidents
 * as it applied them are written to incidents.json. With {@code --wait-for-server} the traffic
 * waits up to S seconds for the server to come up after the applications have. Traffic runs for the
 * duration from {@code --start-ms}, by default from the start of the server's incident clock (its
 * --start-ms, read back from its incidents), else from when the applications are ready: so the
 * incidents sit where their plan put them.
 */
public final class CorpusGenerator {
    private CorpusGenerator() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = parse(argv);
        String serverUrl = required(args, "server-url");
        Path out = Path.of(required(args, "out"));
        long durationS = Long.parseLong(args.getOrDefault("duration", "1200"));
        long seed = Long.parseLong(args.getOrDefault("seed", "1"));
        double rateMin = Double.parseDouble(args.getOrDefault("rate-min", "1"));
        double rateMax = Double.parseDouble(args.getOrDefault("rate-max", "4"));
        double streamShare = Double.parseDouble(args.getOrDefault("stream-share", "0.45"));
        double usageShare = Double.parseDouble(args.getOrDefault("usage-share-of-streams", "0.5"));
        List<String> serviceNames =
                List.of(args.getOrDefault("services", "support-bot,doc-search").split(","));
        List<String> models = List.of(args.getOrDefault("models", "gpt-4o,gpt-4o-mini").split(","));
        if (rateMin <= 0 || rateMax < rateMin) {
            throw new IllegalArgumentException("need 0 < --rate-min <= --rate-max");
        }
        Map<String, Double> keyRates = new HashMap<>();
        for (String kv : args.getOrDefault("key-rate", "").split(",")) {
            if (!kv.isBlank()) {
                String[] p = kv.split("=");
                keyRates.put(p[0].trim(), Double.parseDouble(p[1].trim()));
            }
        }
        Files.createDirectories(out);
        FakeServerRecord server = new FakeServerRecord(serverUrl);

        CallLedger ledger = new CallLedger();
        List<ConfigurableApplicationContext> contexts = new ArrayList<>();
        long runStart;
        long runEnd;
        int abandoned;
        long lateMs;
        JsonNode statsBefore;
        long waitForServerS = Long.parseLong(args.getOrDefault("wait-for-server", "0"));
        try (SpanLines spans = new SpanLines(out.resolve("spans.jsonl"))) {
            Map<String, AssistantCall> services = new LinkedHashMap<>();
            for (String service : serviceNames) {
                ConfigurableApplicationContext ctx =
                        ServiceApplication.start(service, serverUrl, spans.exporterOutput());
                contexts.add(ctx);
                ChatClient client = ctx.getBean(ChatClient.Builder.class).build();
                services.put(
                        service,
                        new AssistantCall(
                                service, client, ctx.getBean(ObservationRegistry.class), ledger));
            }
            // The applications are up: tell generate.sh, which may only now start the fake
            // server, so that its incident clock starts with the traffic.
            System.err.println("spring-ai corpus: applications ready");
            statsBefore = server.awaitStats(waitForServerS);
            Traffic traffic =
                    new Traffic(
                            services,
                            models,
                            seed,
                            rateMin,
                            rateMax,
                            keyRates,
                            streamShare,
                            usageShare);
            runStart =
                    args.containsKey("start-ms")
                            ? Long.parseLong(args.get("start-ms"))
                            : server.incidentClockStart().orElse(System.currentTimeMillis());
            lateMs = Math.max(0, System.currentTimeMillis() - runStart);
            System.err.printf("spring-ai corpus: %d s of traffic to %s%n", durationS, serverUrl);
            long progressFrom = runStart;
            Thread progress =
                    new Thread(
                            () -> {
                                // One line every 30 s on stdout, for whoever watches the run.
                                while (!Thread.currentThread().isInterrupted()) {
                                    try {
                                        Thread.sleep(30_000);
                                    } catch (InterruptedException e) {
                                        return;
                                    }
                                    System.out.printf(
                                            "spring-ai: t=%ds calls=%d failed=%d in_flight=%d"
                                                    + " export_lines=%d%n",
                                            (System.currentTimeMillis() - progressFrom) / 1000,
                                            ledger.total(),
                                            ledger.failed(),
                                            traffic.inFlight(),
                                            spans.lines());
                                }
                            },
                            "progress");
            progress.setDaemon(true);
            progress.start();
            traffic.run(runStart, durationS * 1000, 360_000);
            progress.interrupt();
            runEnd = runStart + durationS * 1000;
            abandoned = traffic.abandoned();
            // Closing a context shuts its SDK down, and the BatchSpanProcessor exports what it
            // still holds.
            for (ConfigurableApplicationContext ctx : contexts) {
                ctx.close();
            }
            System.err.printf(
                    "spring-ai corpus: %d calls (%d failed, %d abandoned), %d lines, %d bytes%n",
                    ledger.total(), ledger.failed(), abandoned, spans.lines(), spans.bytes());
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("spring_ai_version", "1.1.2");
        run.put("spring_boot_version", org.springframework.boot.SpringBootVersion.getVersion());
        run.put("opentelemetry_sdk_version", "1.56.0");
        run.put("services", serviceNames);
        run.put("models", models);
        run.put("seed", seed);
        run.put("start_ms", runStart);
        run.put("end_ms", runEnd);
        run.put("duration_s", durationS);
        // How long after start_ms the applications were ready to send (0: on time).
        run.put("late_start_ms", lateMs);
        run.put("rate_per_key_min", rateMin);
        run.put("rate_per_key_max", rateMax);
        run.put("abandoned_calls", abandoned);
        run.put("key_rates", keyRates);
        ledger.write(
                out.resolve("calls.json"),
                run,
                FakeServerRecord.difference(statsBefore, server.stats()));
        new ObjectMapper()
                .writerWithDefaultPrettyPrinter()
                .writeValue(out.resolve("incidents.json").toFile(), server.incidents());
    }

    private static Map<String, String> parse(String[] argv) {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException("expected --name value, got " + argv[i]);
            }
            args.put(argv[i].substring(2), argv[++i]);
        }
        return args;
    }

    private static String required(Map<String, String> args, String name) {
        String v = args.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }
}

package io.llmsentinel.devtools.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RequestKind;
import io.llmsentinel.functions.read.OtlpTraceReader;
import io.llmsentinel.functions.read.PriceTable;
import io.llmsentinel.functions.read.ReadResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What the generator sends is real OTLP/JSON that the job's reader understands in full. */
class TelemetryGeneratorTest {

    private final OtlpTraceReader reader = new OtlpTraceReader(PriceTable.empty(), 1 << 22, 512);

    @Test
    void everyGeneratedSpanIsReadAndCounted() {
        long start = 1_764_000_000_000L;
        List<LlmRequest> requests = new ArrayList<>();
        long skipped = 0;
        try (TelemetryGenerator gen = new TelemetryGenerator(1, List.of(), 6)) {
            for (int i = 0; i < 300; i++) {
                ReadResult r = reader.read(gen.nextMessage(start + i * 50L));
                assertThat(r.invalid()).isEmpty();
                assertThat(r.requests().size() + r.skipped()).as("spans").isLessThanOrEqualTo(6);
                requests.addAll(r.requests());
                skipped += r.skipped();
            }
            assertThat(requests).hasSize((int) gen.llmSpans());
            assertThat(skipped).isEqualTo(gen.otherSpans());
            // The services that use tools send execute_tool spans: one key per service.
            assertThat(gen.toolSpans()).isPositive();
            assertThat(requests)
                    .filteredOn(r -> r.kind == RequestKind.TOOL_EXECUTION)
                    .hasSize((int) gen.toolSpans())
                    .allSatisfy(
                            r -> {
                                assertThat(r.service).isIn("support-bot", "code-assistant");
                                assertThat(r.operation).isEqualTo("execute_tool");
                                assertThat(r.model).isEqualTo("-");
                            });
        }
        Set<String> services = requests.stream().map(r -> r.service).collect(Collectors.toSet());
        assertThat(services).containsExactlyInAnyOrderElementsOf(TelemetryGenerator.services());
        // Each attribute convention the generator writes is read into the same dimensions.
        assertThat(requests.stream().map(r -> r.provider).collect(Collectors.toSet()))
                .contains("openai", "anthropic", "aws.bedrock");
        assertThat(requests)
                .filteredOn(r -> r.service.equals("code-assistant"))
                .filteredOn(r -> r.kind == RequestKind.MODEL_CALL)
                .allSatisfy(r -> assertThat(r.outputTokens).isNotNaN());
        assertThat(requests)
                .filteredOn(r -> r.service.equals("rag-api"))
                .allSatisfy(
                        r -> {
                            assertThat(r.costUsd).isNotNaN();
                            assertThat(r.promptText)
                                    .doesNotContain("@")
                                    .contains("[EMAIL]", "[CARD]");
                        });
        assertThat(requests).anySatisfy(r -> assertThat(r.error).isTrue());
        assertThat(requests).allSatisfy(r -> assertThat(r.environment).isNotNull());
    }

    /**
     * One LLM span in twenty: the other nineteen (server, database, cache, service calls) are all
     * skipped by the reader, and the model calls are those of the default share for the seed.
     */
    @Test
    void oneLlmSpanInTwentyLeavesTheModelCallsAsTheyWere() {
        long start = 1_764_000_000_000L;
        List<LlmRequest> usual = new ArrayList<>();
        List<LlmRequest> mixed = new ArrayList<>();
        long skipped = 0;
        try (TelemetryGenerator a = new TelemetryGenerator(3, List.of(), 4);
                TelemetryGenerator b = new TelemetryGenerator(3, List.of(), 4).llmShare(0.05)) {
            for (int i = 0; i < 200; i++) {
                usual.addAll(reader.read(a.nextMessage(start + i * 50L)).requests());
                ReadResult r = reader.read(b.nextMessage(start + i * 50L));
                assertThat(r.invalid()).isEmpty();
                mixed.addAll(r.requests());
                skipped += r.skipped();
            }
            assertThat(skipped).isEqualTo(b.otherSpans());
            // the share counts model calls; a call's tool executions come on top of it
            long calls = b.llmSpans() - b.toolSpans();
            assertThat((double) calls / (calls + b.otherSpans())).isEqualTo(0.05);
        }
        assertThat(mixed).hasSize(usual.size());
        for (int i = 0; i < usual.size(); i++) {
            assertThat(mixed.get(i).latencyMs).isEqualTo(usual.get(i).latencyMs);
            assertThat(mixed.get(i).service).isEqualTo(usual.get(i).service);
        }
    }

    @Test
    void latencySpikeRaisesLatencyOnlyForItsServiceAndOnlyWhileActive() {
        long start = 1_764_000_000_000L;
        Incident spike =
                new Incident(
                        Incident.Type.LATENCY_SPIKE,
                        "support-bot",
                        "gpt-4o",
                        start + 10_000,
                        start + 20_000);
        List<LlmRequest> all = new ArrayList<>();
        try (TelemetryGenerator gen = new TelemetryGenerator(2, List.of(spike), 2)) {
            for (int i = 0; i < 600; i++) {
                all.addAll(reader.read(gen.nextMessage(start + i * 50L)).requests());
            }
        }
        double during = medianLatency(all, "support-bot", true, spike);
        double outside = medianLatency(all, "support-bot", false, spike);
        double otherDuring = medianLatency(all, "code-assistant", true, spike);
        double otherOutside = medianLatency(all, "code-assistant", false, spike);

        assertThat(during / outside).isGreaterThan(3.0);
        assertThat(otherDuring / otherOutside).isBetween(0.7, 1.4);
    }

    private static double medianLatency(
            List<LlmRequest> all, String service, boolean during, Incident i) {
        double[] v =
                all.stream()
                        .filter(r -> r.service.equals(service) && !r.error)
                        .filter(r -> r.kind == RequestKind.MODEL_CALL)
                        .filter(
                                r ->
                                        i.activeAt(r.eventTimeMs + 200, "support-bot") == during
                                                && (during
                                                        || r.eventTimeMs < i.startMs() - 1000
                                                        || r.eventTimeMs > i.endMs() + 1000))
                        .mapToDouble(r -> r.latencyMs)
                        .sorted()
                        .toArray();
        assertThat(v).isNotEmpty();
        return v[v.length / 2];
    }

    @Test
    void theHeavyTailIsOneDrawInAThousandAtTwentyToAHundredTimes() {
        Random random = new Random(5);
        int n = 1_000_000;
        int tail = 0;
        double min = Double.MAX_VALUE;
        double max = 0;
        for (int i = 0; i < n; i++) {
            double f = HeavyTail.DEFAULT.factor(random);
            if (f > 1) {
                tail++;
                min = Math.min(min, f);
                max = Math.max(max, f);
            }
        }
        assertThat(tail / (double) n).isBetween(0.0009, 0.0011);
        assertThat(min).isGreaterThanOrEqualTo(20);
        assertThat(max).isLessThanOrEqualTo(100).isGreaterThan(60);
        Random off = new Random(5);
        for (int i = 0; i < 10_000; i++) {
            assertThat(HeavyTail.OFF.factor(off)).isEqualTo(1.0);
        }
    }

    @Test
    void aboutOneCallInAThousandTakesTwentyTimesItsMedianAndNothingElseChanges() {
        long start = 1_764_000_000_000L;
        List<LlmRequest> withTail = new ArrayList<>();
        List<LlmRequest> without = new ArrayList<>();
        long tailCalls;
        try (TelemetryGenerator gen = new TelemetryGenerator(9, List.of(), 6, HeavyTail.DEFAULT);
                TelemetryGenerator body = new TelemetryGenerator(9, List.of(), 6, HeavyTail.OFF)) {
            for (int i = 0; i < 8_000; i++) {
                withTail.addAll(reader.read(gen.nextMessage(start + i * 50L)).requests());
                without.addAll(reader.read(body.nextMessage(start + i * 50L)).requests());
            }
            tailCalls = gen.tailCalls();
            assertThat(body.tailCalls()).isZero();
        }
        // The same traffic, call for call, but for the latency of the calls in the tail.
        assertThat(withTail).hasSameSizeAs(without).hasSizeGreaterThan(14_000);
        // The tail slows model calls; tool executions are not calls to a provider.
        withTail.removeIf(r -> r.kind == RequestKind.TOOL_EXECUTION);
        without.removeIf(r -> r.kind == RequestKind.TOOL_EXECUTION);
        int slowed = 0;
        List<Integer> differ = new ArrayList<>();
        for (int i = 0; i < withTail.size(); i++) {
            LlmRequest a = withTail.get(i);
            LlmRequest b = without.get(i);
            if (!a.service.equals(b.service)
                    || Double.compare(a.inputTokens, b.inputTokens) != 0
                    || Double.compare(a.outputTokens, b.outputTokens) != 0
                    || a.error != b.error
                    || a.latencyMs < b.latencyMs) {
                differ.add(i);
            } else if (a.latencyMs > b.latencyMs) {
                slowed++;
            }
        }
        assertThat(differ).as("calls that differ but for a longer latency").isEmpty();
        assertThat(slowed).isEqualTo((int) tailCalls);
        try (TelemetryGenerator byDefault = new TelemetryGenerator(9, List.of(), 6)) {
            assertThat(byDefault.heavyTail()).isEqualTo(HeavyTail.DEFAULT);
        }

        // The share of calls at 20x their service's median or more: about 1 in 1,000, none
        // without the tail (the lognormal body never reaches it).
        Map<String, Double> medians = new HashMap<>();
        for (String service : TelemetryGenerator.services()) {
            double[] v =
                    without.stream()
                            .filter(r -> r.service.equals(service) && !r.error)
                            .mapToDouble(r -> r.latencyMs)
                            .sorted()
                            .toArray();
            medians.put(service, v[v.length / 2]);
        }
        double share = shareAtLeast(withTail, medians, 20);
        assertThat(share).isBetween(0.0005, 0.002);
        assertThat(shareAtLeast(without, medians, 20)).isZero();
        assertThat(shareAtLeast(withTail, medians, 101)).isZero();
    }

    private static double shareAtLeast(
            List<LlmRequest> requests, Map<String, Double> medians, double times) {
        long ok = requests.stream().filter(r -> !r.error).count();
        long slow =
                requests.stream()
                        .filter(r -> !r.error && r.latencyMs >= times * medians.get(r.service))
                        .count();
        return slow / (double) ok;
    }

    @Test
    void incidentSpecsParse() {
        Incident i = GeneratorMain.parseIncident("token_explosion@40+20", 1000);
        assertThat(i.type()).isEqualTo(Incident.Type.TOKEN_EXPLOSION);
        assertThat(i.service()).isEqualTo("code-assistant");
        assertThat(i.startMs()).isEqualTo(41_000);
        assertThat(i.endMs()).isEqualTo(61_000);
        Incident j = GeneratorMain.parseIncident("error_burst:rag-api@1.5+2", 0);
        assertThat(j.service()).isEqualTo("rag-api");
        assertThat(j.startMs()).isEqualTo(1500);
    }

    @Test
    void flagsTakeNoValueSoTheDemosCommandLineParses() {
        // the demo's own command line: --metrics is a flag, followed by --incident options
        var a =
                GeneratorMain.parse(
                        new String[] {
                            "--rate",
                            "20",
                            "--metrics",
                            "--incident",
                            "latency_spike@15+10",
                            "--incident",
                            "token_explosion@30+10",
                            "--fast"
                        });
        assertThat(a.get("metrics")).containsExactly("true");
        assertThat(a.get("fast")).containsExactly("true");
        assertThat(a.get("incident"))
                .containsExactly("latency_spike@15+10", "token_explosion@30+10");
        assertThat(a.get("rate")).containsExactly("20");
    }
}

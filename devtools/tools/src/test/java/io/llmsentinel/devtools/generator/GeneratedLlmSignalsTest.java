package io.llmsentinel.devtools.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RequestKind;
import io.llmsentinel.functions.read.OtlpTraceReader;
import io.llmsentinel.functions.read.PriceTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The generator's LLM-specific signals, read back by the job's reader: ordinary traffic has small
 * but non-zero shares (the baselines the window detectors learn), and each LLM-specific incident
 * moves its own share, on its service, only while it is active, and nothing else.
 */
class GeneratedLlmSignalsTest {
    static final long START = 1_764_000_000_000L;

    private final OtlpTraceReader reader = new OtlpTraceReader(PriceTable.empty(), 1 << 22, 0);

    private List<LlmRequest> generate(long seed, List<Incident> incidents, int messages) {
        List<LlmRequest> out = new ArrayList<>();
        try (TelemetryGenerator gen = new TelemetryGenerator(seed, incidents, 6)) {
            for (int i = 0; i < messages; i++) {
                out.addAll(reader.read(gen.nextMessage(START + i * 50L)).requests());
            }
        }
        return out;
    }

    @Test
    void ordinaryTrafficHasSmallButNonZeroShares() {
        List<LlmRequest> all = generate(4, List.of(), 20_000);

        for (String service : List.of("support-bot", "code-assistant", "search-summarizer")) {
            assertThat(share(all, service, Kind.TRUNCATION))
                    .as(service + " truncated")
                    .isBetween(0.005, 0.04);
            assertThat(share(all, service, Kind.CONTENT_FILTER))
                    .as(service + " filtered")
                    .isGreaterThan(0)
                    .isLessThan(0.01);
            assertThat(share(all, service, Kind.RATE_LIMITED))
                    .as(service + " rate-limited")
                    .isGreaterThan(0)
                    .isLessThan(0.015);
        }
        // OpenInference's finish reason is read too.
        assertThat(share(all, "rag-api", Kind.TRUNCATION)).isBetween(0.005, 0.03);
        // The two services that cache their prompts: about half their input comes from the cache.
        assertThat(share(all, "support-bot", Kind.CACHE)).isBetween(0.4, 0.6);
        assertThat(share(all, "code-assistant", Kind.CACHE)).isBetween(0.4, 0.6);
        assertThat(all)
                .filteredOn(r -> r.service.equals("search-summarizer"))
                .allSatisfy(r -> assertThat(r.cachedInputTokens).isNaN());
        // Tools fail now and then; embeddings say nothing of how they finished.
        assertThat(share(all, "support-bot", Kind.TOOL)).isBetween(0.01, 0.035);
        assertThat(share(all, "code-assistant", Kind.TOOL)).isBetween(0.01, 0.035);
        assertThat(all)
                .filteredOn(r -> r.service.equals("doc-indexer"))
                .allSatisfy(r -> assertThat(r.finishReason).isNull());
        // A failed call tells nothing of how an answer finished.
        assertThat(all)
                .filteredOn(r -> r.kind == RequestKind.MODEL_CALL && r.error)
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.finishReason).isNull());
    }

    @ParameterizedTest
    @EnumSource(
            value = Incident.Type.class,
            names = {"TRUNCATION", "CONTENT_FILTER", "RATE_LIMITED", "TOOL_FAILURES", "CACHE_MISS"})
    void anLlmIncidentMovesItsOwnShareOnItsServiceWhileActiveAndNothingElse(Incident.Type type) {
        Incident incident = GeneratorMain.parseIncident(type.code() + "@60+60", START);
        String service = incident.service();
        List<LlmRequest> with = generate(8, List.of(incident), 3_600);
        List<LlmRequest> without = generate(8, List.of(), 3_600);

        Kind kind = Kind.of(type);
        Predicate<LlmRequest> during =
                r -> r.eventTimeMs >= incident.startMs() && r.eventTimeMs < incident.endMs();
        double inside = share(with.stream().filter(during).toList(), service, kind);
        double before = share(with.stream().filter(during.negate()).toList(), service, kind);
        if (kind == Kind.CACHE) {
            assertThat(inside).isLessThan(0.1);
            assertThat(before).isGreaterThan(0.35);
        } else {
            assertThat(inside).isGreaterThan(0.1);
            assertThat(before).isLessThan(0.05);
        }

        // The same traffic call for call; only the incident's own calls differ, in its own way.
        assertThat(with).hasSameSizeAs(without);
        int changed = 0;
        for (int i = 0; i < with.size(); i++) {
            LlmRequest a = with.get(i);
            LlmRequest b = without.get(i);
            assertThat(a.service).isEqualTo(b.service);
            assertThat(a.kind).isEqualTo(b.kind);
            assertThat(Double.compare(a.inputTokens, b.inputTokens)).as("input tokens").isZero();
            boolean same =
                    a.error == b.error
                            && a.rateLimited == b.rateLimited
                            && Objects.equals(a.finishReason, b.finishReason)
                            && Double.compare(a.cachedInputTokens, b.cachedInputTokens) == 0
                            && Double.compare(a.latencyMs, b.latencyMs) == 0;
            if (!same) {
                changed++;
                assertThat(a.service).as("a call of another service changed").isEqualTo(service);
                assertThat(during.test(a))
                        .as("a call outside the incident changed (at %d)", a.eventTimeMs)
                        .isTrue();
            }
        }
        assertThat(changed).isPositive();
    }

    @Test
    void anErrorBurstIsServerErrorsNotThrottling() {
        Incident burst = GeneratorMain.parseIncident("error_burst@30+60", START);
        List<LlmRequest> inBurst =
                generate(3, List.of(burst), 2_400).stream()
                        .filter(r -> r.service.equals(burst.service()))
                        .filter(r -> burst.activeAt(r.eventTimeMs, r.service))
                        .toList();
        assertThat(inBurst.stream().filter(r -> r.error).count())
                .isGreaterThan(inBurst.size() * 4L / 10);
        assertThat(inBurst.stream().filter(r -> r.rateLimited).count()).isZero();
    }

    /** The share an incident kind moves, as the job's window counts it. */
    enum Kind {
        TRUNCATION,
        CONTENT_FILTER,
        RATE_LIMITED,
        TOOL,
        CACHE;

        static Kind of(Incident.Type t) {
            return switch (t) {
                case TRUNCATION -> TRUNCATION;
                case CONTENT_FILTER -> CONTENT_FILTER;
                case RATE_LIMITED -> RATE_LIMITED;
                case TOOL_FAILURES -> TOOL;
                case CACHE_MISS -> CACHE;
                default -> throw new IllegalArgumentException(t.code());
            };
        }
    }

    static double share(List<LlmRequest> requests, String service, Kind kind) {
        double part = 0;
        double whole = 0;
        for (LlmRequest r : requests) {
            if (!r.service.equals(service)) {
                continue;
            }
            boolean tool = r.kind == RequestKind.TOOL_EXECUTION;
            switch (kind) {
                case TRUNCATION, CONTENT_FILTER -> {
                    if (!tool && r.finishReason != null) {
                        whole++;
                        String reason = kind == Kind.TRUNCATION ? "length" : "content_filter";
                        part += reason.equals(r.finishReason) ? 1 : 0;
                    }
                }
                case RATE_LIMITED -> {
                    if (!tool) {
                        whole++;
                        part += r.rateLimited ? 1 : 0;
                    }
                }
                case TOOL -> {
                    if (tool) {
                        whole++;
                        part += r.error ? 1 : 0;
                    }
                }
                case CACHE -> {
                    if (!tool && !Double.isNaN(r.cachedInputTokens)) {
                        whole += r.inputTokens;
                        part += r.cachedInputTokens;
                    }
                }
            }
        }
        assertThat(whole).as("%s calls of %s to share", kind, service).isPositive();
        return part / whole;
    }
}

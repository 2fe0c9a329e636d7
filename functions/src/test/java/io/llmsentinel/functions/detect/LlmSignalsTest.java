package io.llmsentinel.functions.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RequestKind;
import io.llmsentinel.functions.model.WindowInput;
import io.llmsentinel.functions.model.WindowStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The LLM-specific shares, from requests as the readers make them to the windowed detectors: a key
 * with ordinary traffic (a few truncations, filters, 429s, failing tools, a steady cache share) for
 * 40 minutes, then an incident of one kind for 3 minutes. The incident's metric is caught with the
 * right type and nothing is flagged in the ordinary minutes before it.
 */
class LlmSignalsTest {
    static final long T0 = 1_764_000_000_000L;
    static final long MINUTE = 60_000;

    /** One request of an ordinary minute, or of the incident (when {@code incident}). */
    static LlmRequest request(String kind, boolean incident, Random rnd) {
        LlmRequest r = new LlmRequest();
        r.service = "support-bot";
        r.model = kind.equals("tool") ? "-" : "gpt-4o";
        r.provider = kind.equals("tool") ? "-" : "openai";
        r.operation = kind.equals("tool") ? "execute_tool" : "chat";
        r.kind = kind.equals("tool") ? RequestKind.TOOL_EXECUTION : RequestKind.MODEL_CALL;
        r.inputTokens = 800;
        r.outputTokens = 200;
        double u = rnd.nextDouble();
        boolean hit = incident ? u < 0.4 : u < 0.005;
        r.finishReason = "stop";
        switch (kind) {
            case "truncation" -> r.finishReason = hit ? "length" : "stop";
            case "content_filter" -> r.finishReason = hit ? "content_filter" : "stop";
            case "rate_limited" -> {
                r.rateLimited = hit;
                r.error = hit;
            }
            case "tool" -> r.error = hit;
            case "cache" -> r.cachedInputTokens = incident ? 0 : 300 + rnd.nextInt(100);
            default -> throw new IllegalArgumentException(kind);
        }
        return r;
    }

    @ParameterizedTest
    @CsvSource({
        "truncation,truncation_rate,truncation_increase",
        "content_filter,content_filter_rate,content_filter_increase",
        "rate_limited,rate_limited_rate,rate_limited",
        "tool,tool_error_rate,tool_error_rate_increase",
        "cache,cache_hit_ratio,cache_hit_drop"
    })
    void anIncidentOfEachKindIsCaughtByItsShare(String kind, String metric, String type) {
        WindowDetector detector = new WindowDetector(DetectionSettings.defaults());
        KeyBaseline baseline = new KeyBaseline();
        Random rnd = new Random(11);
        List<Anomaly> before = new ArrayList<>();
        List<Anomaly> during = new ArrayList<>();
        BiConsumer<Integer, Boolean> minute =
                (m, incident) -> {
                    WindowStats w = new WindowStats();
                    for (int i = 0; i < 120; i++) {
                        w.add(WindowInput.of(request(kind, incident, rnd)));
                    }
                    w.windowStartMs = T0 + m * MINUTE;
                    w.windowEndMs = w.windowStartMs + MINUTE;
                    (incident ? during : before).addAll(detector.observe(baseline, w, 0));
                };
        for (int m = 0; m < 40; m++) {
            minute.accept(m, false);
        }
        for (int m = 40; m < 43; m++) {
            minute.accept(m, true);
        }
        assertThat(before).filteredOn(a -> a.metric.equals(metric)).isEmpty();
        assertThat(during)
                .filteredOn(a -> a.metric.equals(metric))
                .isNotEmpty()
                .allSatisfy(a -> assertThat(a.anomalyType).isEqualTo(type));
        if (kind.equals("tool")) {
            assertThat(baseline.peek(Metric.REQUEST_RATE))
                    .as("a tool key has no request rate")
                    .isNull();
        }
        if (kind.equals("rate_limited")) {
            assertThat(during)
                    .as("429s are not errors of the application")
                    .noneSatisfy(a -> assertThat(a.metric).isEqualTo("error_rate"));
        }
    }
}

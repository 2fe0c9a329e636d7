package io.llmsentinel.devtools.backtest;

import io.llmsentinel.functions.alert.AlertEvent;
import io.llmsentinel.functions.alert.AlertPolicy;
import io.llmsentinel.functions.alert.QuietStart;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.config.AlertOptions;
import io.llmsentinel.functions.config.DetectionOptions;
import io.llmsentinel.functions.config.EventTimeOptions;
import io.llmsentinel.functions.config.InputOptions;
import io.llmsentinel.functions.config.KeyOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.RequestDetector;
import io.llmsentinel.functions.detect.WindowDetector;
import io.llmsentinel.functions.flink.DimensionKeySelector;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RequestKind;
import io.llmsentinel.functions.model.WindowInput;
import io.llmsentinel.functions.model.WindowStats;
import io.llmsentinel.functions.read.OtlpTraceReader;
import io.llmsentinel.functions.read.RequestChecks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The job's detection and alerting without Flink, for the backtests: requests in, anomalies and
 * alert events out, through the functions {@code SentinelTopology} wires and in its order. Each
 * request is keyed by {@code keys.dimensions}; a model call is judged per request against its key's
 * baselines ({@link RequestDetector}); every request, tool executions included (they are never
 * judged per request), is counted in its key's event-time window; a window is judged ({@link
 * WindowDetector}) once the watermark has passed its end, and after a key's last request its empty
 * windows are, as the job's timers do; anomalies of young keys are marked ({@link QuietStart}); the
 * alert policy runs over all of them ({@link AlertReplay}).
 *
 * <p>The caller owns time, as the job's sources do: it offers requests and moves the watermark.
 * Both backtest modes replay through this one class, so they cannot drift apart.
 */
final class Replay {
    private final DetectionSettings settings;
    private final DimensionKeySelector keys;
    private final RequestDetector requestDetector;
    private final WindowDetector windowDetector;
    private final QuietStart quietStart;
    private final AlertPolicy policy;
    private final long windowMs;
    private final long latenessMs;

    private final Map<String, KeyBaseline> requestState = new HashMap<>();
    private final Map<String, KeyWindows> windowState = new HashMap<>();
    private final List<Anomaly> anomalies = new ArrayList<>();
    private long watermark = Long.MIN_VALUE;
    private long modelCalls;
    private long toolExecutions;
    private long lateForWindows;

    Replay(SentinelConfig config) {
        this.settings = DetectionOptions.settings(config);
        this.keys = new DimensionKeySelector(config.get(KeyOptions.DIMENSIONS));
        this.requestDetector = new RequestDetector(settings);
        this.windowDetector = new WindowDetector(settings);
        this.quietStart = AlertOptions.quietStart(config);
        this.policy = AlertOptions.policy(config);
        this.windowMs = settings.windowSizeMs();
        this.latenessMs = config.get(EventTimeOptions.MAX_OUT_OF_ORDERNESS).toMillis();
    }

    /**
     * The job's OTLP trace reader as {@code JobIo} builds it from the configuration (prices, size
     * limits, the limit on future event times, {@code keys.model-name}), with {@code clock} as the
     * job's clock.
     */
    static OtlpTraceReader traceReader(SentinelConfig config, RequestChecks.Clock clock) {
        return new OtlpTraceReader(
                config.priceTable(),
                config.get(InputOptions.MAX_MESSAGE_BYTES),
                config.get(InputOptions.MAX_TEXT_CHARS),
                config.get(EventTimeOptions.MAX_FUTURE).toMillis(),
                clock,
                KeyOptions.modelNaming(config));
    }

    /**
     * One request, judged at {@code nowMs} (the replay's clock: when the job would have seen it). A
     * request whose window the watermark has already closed is judged per request but not counted
     * in a window, as Flink drops late elements from a window (the job counts them).
     */
    void offer(LlmRequest r, long nowMs) {
        String key = keys.getKey(r);
        if (r.kind == RequestKind.TOOL_EXECUTION) {
            toolExecutions++;
        } else {
            modelCalls++;
            KeyBaseline kb = requestState.computeIfAbsent(key, k -> new KeyBaseline());
            kb.seen(r.eventTimeMs);
            List<Anomaly> found = requestDetector.observe(kb, r, nowMs);
            quietStart.mark(found, kb.firstEventTimeMs);
            anomalies.addAll(found);
        }
        if (windowDetector.watchesAnything()) {
            long windowStart = r.eventTimeMs - Math.floorMod(r.eventTimeMs, windowMs);
            if (windowStart + windowMs <= watermark) {
                lateForWindows++;
                return;
            }
            KeyWindows kw = windowState.computeIfAbsent(key, k -> new KeyWindows());
            // What the job's window counts: the request as WindowInput carries it (tokens too).
            kw.open.computeIfAbsent(windowStart, w -> new WindowStats()).add(WindowInput.of(r));
        }
    }

    /**
     * Event time has reached {@code watermarkMs}: judges, key by key and in order, every window
     * that ended at or before it, at {@code nowMs}.
     */
    void advance(long watermarkMs, long nowMs) {
        watermark = Math.max(watermark, watermarkMs);
        for (KeyWindows kw : windowState.values()) {
            while (true) {
                Long first = kw.open.isEmpty() ? null : kw.open.firstKey();
                long nextEnd =
                        kw.baseline.lastWindowEndMs == 0
                                ? (first == null ? Long.MAX_VALUE : first + windowMs)
                                : kw.baseline.lastWindowEndMs + windowMs;
                if (nextEnd > watermark) {
                    break;
                }
                WindowStats w = kw.open.remove(nextEnd - windowMs);
                if (w != null) {
                    w.windowStartMs = nextEnd - windowMs;
                    w.windowEndMs = nextEnd;
                    kw.template = w;
                    kw.baseline.seen(w.windowStartMs);
                    List<Anomaly> found = windowDetector.observe(kw.baseline, w, nowMs);
                    quietStart.mark(found, kw.baseline.firstEventTimeMs);
                    anomalies.addAll(found);
                } else if (kw.baseline.emptyWindowsJudged < settings.emptyWindows()
                        && kw.template != null) {
                    List<Anomaly> found =
                            windowDetector.observeEmpty(kw.baseline, kw.template, nextEnd, nowMs);
                    quietStart.mark(found, kw.baseline.firstEventTimeMs);
                    anomalies.addAll(found);
                } else {
                    kw.baseline.lastWindowEndMs = first == null ? Long.MAX_VALUE - windowMs : first;
                    if (first == null) {
                        break;
                    }
                }
            }
        }
    }

    /**
     * The input ended at {@code endMs}: the window after it is judged too (the first empty one of
     * every key), at {@code endMs}.
     */
    void finish(long endMs) {
        advance(endMs + windowMs, endMs);
    }

    /** Every anomaly so far, in the order found. */
    List<Anomaly> anomalies() {
        return anomalies;
    }

    /** The alert policy over every anomaly so far, as the job's keyed alert function runs it. */
    List<AlertEvent> alerts() {
        return AlertReplay.run(policy, anomalies, latenessMs);
    }

    /** Distinct keys seen: those of model calls and those of tool executions. */
    int keysSeen() {
        Set<String> all = new HashSet<>(requestState.keySet());
        all.addAll(windowState.keySet());
        return all.size();
    }

    /** The metrics detection watches (their codes), per request and per window. */
    Set<String> watchedMetrics() {
        Set<String> out = new TreeSet<>();
        for (Metric m : settings.metrics().keySet()) {
            out.add(m.code());
        }
        return out;
    }

    long modelCalls() {
        return modelCalls;
    }

    long toolExecutions() {
        return toolExecutions;
    }

    /** Requests whose window had closed when they came: judged per request, not counted. */
    long lateForWindows() {
        return lateForWindows;
    }

    long windowMs() {
        return windowMs;
    }

    /** Each key's per-request baselines (for measuring state per key). */
    Map<String, KeyBaseline> requestBaselines() {
        return requestState;
    }

    /** Each key's windowed-metric baselines. */
    Map<String, KeyBaseline> windowBaselines() {
        Map<String, KeyBaseline> out = new HashMap<>();
        windowState.forEach((k, w) -> out.put(k, w.baseline));
        return out;
    }

    /** Each key's open windows (counts so far), by start. */
    Map<String, Map<Long, WindowStats>> openWindows() {
        Map<String, Map<Long, WindowStats>> out = new HashMap<>();
        windowState.forEach((k, w) -> out.put(k, w.open));
        return out;
    }

    long latenessMs() {
        return latenessMs;
    }

    /** One key's open windows and windowed-metric baselines. */
    private static final class KeyWindows {
        final TreeMap<Long, WindowStats> open = new TreeMap<>();
        final KeyBaseline baseline = new KeyBaseline();
        WindowStats template;
    }
}

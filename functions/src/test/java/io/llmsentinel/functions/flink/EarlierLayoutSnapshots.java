package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.alert.QuietStart;
import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.WindowInput;
import io.llmsentinel.functions.model.WindowStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperatorBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.apache.flink.util.OutputTag;

/**
 * Writes snapshots of the state layout before one keyed state object per key (0.4 development, at
 * main 0ef60cd): the per-request detection with a pending catch-up backlog, the window operator
 * (uid count-per-window) with an open window, and the windowed detection (uid
 * detect-window-anomalies) with learned window baselines. Run once, on that layout, with the
 * classes it names; kept for the record (the classes are gone since).
 */
public final class EarlierLayoutSnapshots {
    private EarlierLayoutSnapshots() {}

    static final String KEY = "support-bot|gpt-4o|openai|chat";
    static final long T0 = 1_764_000_000_000L; // a multiple of a minute

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/state-snapshots");
        Files.createDirectories(dir.resolve("backlog"));
        Files.createDirectories(dir.resolve("windows"));
        for (String backend : new String[] {"heap", "rocksdb"}) {
            backlog(dir.resolve("backlog/0.4-dev-backlog-" + backend + ".snapshot"), backend);
            windowCounts(
                    dir.resolve("windows/0.4-dev-window-counts-" + backend + ".snapshot"), backend);
            windowBaseline(
                    dir.resolve("windows/0.4-dev-window-baseline-" + backend + ".snapshot"),
                    backend);
        }
        StateSnapshots.main(new String[] {"0.4-dev", dir.toString()});
    }

    /** 40 one-minute windows learned (WindowMetricsFunctionTest's normal traffic), timer set. */
    static void windowBaseline(Path file, String backend) throws Exception {
        try (var h = WindowMetricsFunctionTest.harness(backend)) {
            h.open();
            WindowMetricsFunctionTest.normalTraffic(h, 40, new Random(3));
            OperatorSubtaskState s = h.snapshot(1L, 1L);
            OperatorSnapshotUtil.writeStateHandle(s, file.toString());
            System.out.println("wrote " + file + " (" + h.numEventTimeTimers() + " timers)");
        }
    }

    /**
     * 300 requests learned, then 20 more waiting in the backlog for the watermark, the 10th of them
     * a spike of 9 s.
     */
    static void backlog(Path file, String backend) throws Exception {
        try (var h =
                Harnesses.keyed(
                        new AnomalyDetectionFunction(
                                DetectionSettings.defaults(), QuietStart.NONE, 60_000),
                        (LlmRequest r) -> r.service + "|" + r.model)) {
            h.setStateBackend(StateSnapshots.backend(backend));
            h.open();
            h.setProcessingTime(T0 + 86_400_000L); // a day later: every request is a backlog
            Random rnd = new Random(42);
            long t = T0;
            for (int i = 0; i < StateSnapshots.LEARNED; i++, t += 1000) {
                h.processElement(new StreamRecord<>(StateSnapshots.request(t, rnd), t));
            }
            h.watermark(t);
            for (int i = 0; i < 20; i++, t += 1000) {
                LlmRequest r = StateSnapshots.request(t, rnd);
                if (i == 10) {
                    r.latencyMs = 9000;
                }
                h.processElement(new StreamRecord<>(r, t));
            }
            OperatorSubtaskState s = h.snapshot(1L, 1L);
            OperatorSnapshotUtil.writeStateHandle(s, file.toString());
            System.out.println("wrote " + file + " (" + h.extractOutputValues().size() + ")");
        }
    }

    /** An open one-minute window of 600 requests, 6 of them failed, costing 0.004 USD each. */
    static void windowCounts(Path file, String backend) throws Exception {
        TypeInformation<WindowStats> stats = TypeInformation.of(WindowStats.class);
        ExecutionConfig config = new ExecutionConfig();
        config.disableGenericTypes();
        var builder =
                new WindowOperatorBuilder<>(
                        TumblingEventTimeWindows.of(Duration.ofMinutes(1)),
                        EventTimeTrigger.create(),
                        config,
                        TypeInformation.of(WindowInput.class),
                        new DimensionKeySelector.ForWindows(
                                java.util.List.of("service", "model", "provider", "operation")),
                        Types.STRING);
        builder.sideOutputLateData(
                new OutputTag<>("late-for-windows", TypeInformation.of(WindowInput.class)));
        var operator = builder.aggregate(new Count(), new Bounds(), stats);
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator,
                        new DimensionKeySelector.ForWindows(
                                java.util.List.of("service", "model", "provider", "operation")),
                        Types.STRING,
                        1,
                        1,
                        0)) {
            h.setStateBackend(StateSnapshots.backend(backend));
            h.open();
            long start = T0 + 60_000;
            for (int i = 0; i < 600; i++) {
                LlmRequest r = StateSnapshots.request(start + i * 50L, new Random(i));
                r.error = i % 100 == 0;
                r.costUsd = 0.004;
                WindowInput in = WindowInput.of(r);
                h.processElement(new StreamRecord<>(in, in.eventTimeMs));
            }
            h.processWatermark(start + 30_000);
            OperatorSubtaskState s = h.snapshot(1L, 1L);
            OperatorSnapshotUtil.writeStateHandle(s, file.toString());
            System.out.println("wrote " + file + " (" + h.extractOutputValues().size() + ")");
        }
    }

    /** The window operator's aggregate as the job had it (WindowStatsAggregate). */
    static final class Count
            implements org.apache.flink.api.common.functions.AggregateFunction<
                    WindowInput, WindowStats, WindowStats> {
        @Override
        public WindowStats createAccumulator() {
            return new WindowStats();
        }

        @Override
        public WindowStats add(WindowInput in, WindowStats acc) {
            acc.add(in);
            return acc;
        }

        @Override
        public WindowStats getResult(WindowStats acc) {
            return acc;
        }

        @Override
        public WindowStats merge(WindowStats a, WindowStats b) {
            return a.merge(b);
        }
    }

    /** The window function as the job had it (WindowBounds). */
    static final class Bounds
            extends org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction<
                    WindowStats,
                    WindowStats,
                    String,
                    org.apache.flink.streaming.api.windowing.windows.TimeWindow> {
        @Override
        public void process(
                String key,
                Context ctx,
                Iterable<WindowStats> counts,
                org.apache.flink.util.Collector<WindowStats> out) {
            for (WindowStats w : counts) {
                w.key = key;
                w.windowStartMs = ctx.window().getStart();
                w.windowEndMs = ctx.window().getEnd();
                out.collect(w);
            }
        }
    }
}

package io.llmsentinel.functions.bench;

import io.llmsentinel.functions.alert.QuietStart;
import io.llmsentinel.functions.anomaly.Anomaly;
import io.llmsentinel.functions.detect.CusumDetector;
import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.detect.Direction;
import io.llmsentinel.functions.detect.IqrDetector;
import io.llmsentinel.functions.detect.KeyBaseline;
import io.llmsentinel.functions.detect.MadDetector;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.MetricDetector;
import io.llmsentinel.functions.detect.MetricSettings;
import io.llmsentinel.functions.detect.MetricState;
import io.llmsentinel.functions.detect.RequestDetector;
import io.llmsentinel.functions.detect.Verdict;
import io.llmsentinel.functions.detect.ZScoreDetector;
import io.llmsentinel.functions.flink.AnomalyDetectionFunction;
import io.llmsentinel.functions.model.LlmRequest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost per value of each detector, of one metric's full evaluation (four detectors and the
 * learning), of one request's seven metrics, and of the keyed Flink function on the heap and on
 * RocksDB (a thousand keys, state read and written per request). Run with scripts/bench.sh.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DetectionBenchmark {

    private static final int VALUES = 4096;

    /** A warmed-up metric and a ring of lognormal values to judge. */
    @State(Scope.Thread)
    public static class OneMetric {
        MetricSettings settings = MetricSettings.defaults(Direction.UP, true, 1.0);
        MetricDetector detector = new MetricDetector(Metric.LATENCY_MS, settings);
        MetricState state = new MetricState();
        double[] values = new double[VALUES];
        double[] scaled = new double[VALUES];
        int i;

        @Setup
        public void setup() {
            Random rnd = new Random(1);
            for (int k = 0; k < VALUES; k++) {
                values[k] = 1000 * Math.exp(0.4 * rnd.nextGaussian());
                scaled[k] = settings.toScale(values[k]);
            }
            for (int k = 0; k < 1000; k++) {
                detector.evaluate(state, values[k % VALUES]);
            }
        }

        int next() {
            i = (i + 1) & (VALUES - 1);
            return i;
        }
    }

    @Benchmark
    public Verdict zscore(OneMetric m) {
        return ZScoreDetector.INSTANCE.judge(m.state, m.scaled[m.next()], m.settings);
    }

    @Benchmark
    public Verdict iqr(OneMetric m) {
        return IqrDetector.INSTANCE.judge(m.state, m.scaled[m.next()], m.settings);
    }

    @Benchmark
    public Verdict mad(OneMetric m) {
        return MadDetector.INSTANCE.judge(m.state, m.scaled[m.next()], m.settings);
    }

    @Benchmark
    public Verdict cusum(OneMetric m) {
        return CusumDetector.INSTANCE.judge(m.state, m.scaled[m.next()], m.settings);
    }

    /** All four detectors judge, then the value is learned (moments, quantiles, CUSUM). */
    @Benchmark
    public Object metricEvaluateAndLearn(OneMetric m) {
        return m.detector.evaluate(m.state, m.values[m.next()]);
    }

    /** Requests with realistic values, for the per-request and keyed benchmarks. */
    @State(Scope.Thread)
    public static class Requests {
        LlmRequest[] requests = new LlmRequest[VALUES];
        RequestDetector detector = new RequestDetector(DetectionSettings.defaults());
        KeyBaseline baseline = new KeyBaseline();
        int i;

        @Setup
        public void setup() {
            Random rnd = new Random(2);
            for (int k = 0; k < VALUES; k++) {
                LlmRequest r = new LlmRequest();
                r.eventTimeMs = 1_764_000_000_000L + k;
                r.service = "svc-" + (k % 1000);
                r.model = "gpt-4o";
                r.provider = "openai";
                r.operation = "chat";
                r.latencyMs = 1500 * Math.exp(0.3 * rnd.nextGaussian());
                r.ttftMs = 300 * Math.exp(0.3 * rnd.nextGaussian());
                r.inputTokens = Math.round(800 * Math.exp(0.4 * rnd.nextGaussian()));
                r.outputTokens = Math.round(200 * Math.exp(0.4 * rnd.nextGaussian()));
                r.costUsd = (r.inputTokens * 2.5 + r.outputTokens * 10) / 1e6;
                requests[k] = r;
            }
            for (int k = 0; k < 1000; k++) {
                detector.observe(baseline, requests[k], 0);
            }
        }

        LlmRequest next() {
            i = (i + 1) & (VALUES - 1);
            return requests[i];
        }
    }

    /** Seven per-request metrics, four detectors each, plain Java (no state backend). */
    @Benchmark
    public Object requestAllMetrics(Requests r) {
        return r.detector.observe(r.baseline, r.next(), 0);
    }

    /**
     * The keyed Flink function: state read, seven metrics judged and learned, the request counted
     * in its window, state written (one key's windows judged as event time passes them).
     */
    @State(Scope.Thread)
    public static class KeyedFunction {
        @Param({"heap", "rocksdb"})
        public String backend;

        org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness<
                        String, io.llmsentinel.functions.flink.Observation, String, Anomaly>
                harness;
        Requests requests = new Requests();
        long t;

        @Setup(Level.Trial)
        public void setup() throws Exception {
            requests.setup();
            harness =
                    new org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness<>(
                            new org.apache.flink.streaming.api.operators.co
                                    .CoBroadcastWithKeyedOperator<>(
                                    new AnomalyDetectionFunction(
                                            DetectionSettings.defaults(), QuietStart.NONE),
                                    java.util.List.of(
                                            io.llmsentinel.functions.flink.ControlBroadcast.STATE)),
                            (io.llmsentinel.functions.flink.Observation o) -> o.request.service,
                            Types.STRING,
                            1,
                            1,
                            0);
            if (backend.equals("rocksdb")) {
                // The harness gives the operator only a few MB of managed memory, which leaves
                // RocksDB flushing its memtable all the time (1-2 ms per write); a TaskManager
                // gives it hundreds of MB. RocksDB's own default buffers are closer to that.
                EmbeddedRocksDBStateBackend rocks = new EmbeddedRocksDBStateBackend();
                rocks.getMemoryConfiguration().setUseManagedMemory(false);
                harness.setStateBackend(rocks);
            } else {
                harness.setStateBackend(new HashMapStateBackend());
            }
            harness.open();
            for (int k = 0; k < VALUES * 4; k++) {
                process();
            }
        }

        void process() throws Exception {
            LlmRequest r = requests.next();
            harness.processElement(
                    new StreamRecord<>(io.llmsentinel.functions.flink.Observation.of(r), ++t));
            if ((t & 1023) == 0) {
                harness.getOutput().clear();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            harness.close();
        }
    }

    @Benchmark
    public void keyedFunction(KeyedFunction f) throws Exception {
        f.process();
    }
}

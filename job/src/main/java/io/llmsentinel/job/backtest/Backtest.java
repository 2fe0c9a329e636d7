package io.llmsentinel.job.backtest;

import io.llmsentinel.functions.detect.DetectorKind;
import io.llmsentinel.functions.detect.Direction;
import io.llmsentinel.functions.detect.Evaluation;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.MetricDetector;
import io.llmsentinel.functions.detect.MetricSettings;
import io.llmsentinel.functions.detect.MetricState;
import io.llmsentinel.job.config.SentinelConfig;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code scripts/backtest.sh}: runs the job's own detector code, with the job's configuration, over
 * recorded series, and scores it.
 *
 * <pre>
 *   NAB mode:       --nab-root DIR --files LIST --out OUT [--config conf/sentinel.yaml]
 *   telemetry mode: --telemetry [--duration S] [--rate N] [--config ...]   (see TelemetryBacktest)
 * </pre>
 *
 * In NAB mode each series goes through a fresh key's detectors in timestamp order (NAB files are in
 * order), one score per row, written to {@code OUT/sentinel/<folder>/sentinel_<file>.csv} with
 * columns {@code timestamp,value,anomaly_score}. With labels beside the data, prints the NAB scores
 * of the three profiles; the last line is {@code NAB standard=.. reward_low_FP_rate=..
 * reward_low_FN_rate=..}.
 */
public final class Backtest {
    private Backtest() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String k = args[i].replaceFirst("^--", "");
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            a.put(k, flag ? "true" : args[++i]);
        }
        SentinelConfig config =
                SentinelConfig.load(
                        a.containsKey("config") ? Path.of(a.get("config")) : null,
                        Map.of(),
                        System::getenv);
        if (a.containsKey("telemetry")) {
            TelemetryBacktest.run(config, a, System.out);
            return;
        }
        Path root = Path.of(required(a, "nab-root"));
        List<String> files =
                Files.readAllLines(Path.of(required(a, "files"))).stream()
                        .map(String::trim)
                        .filter(l -> !l.isEmpty())
                        .toList();
        Path out = Path.of(required(a, "out"));
        Map<String, double[]> scores = run(root, files, out, config.seriesSettings(Direction.BOTH));
        System.out.printf(
                Locale.ROOT,
                "backtest: %d series scored, results in %s%n",
                files.size(),
                out.resolve("sentinel"));
        if (NabScorer.hasLabels(root)) {
            List<NabScorer.Score> result = new NabScorer(root).score(files, scores);
            for (NabScorer.Score s : result) {
                System.out.printf(
                        Locale.ROOT,
                        "%-20s threshold=%.4f raw=%.3f score=%.2f%n",
                        s.profile(),
                        s.threshold(),
                        s.raw(),
                        s.normalized());
            }
            System.out.printf(
                    Locale.ROOT,
                    "NAB standard=%.2f reward_low_FP_rate=%.2f reward_low_FN_rate=%.2f%n",
                    result.get(0).normalized(),
                    result.get(1).normalized(),
                    result.get(2).normalized());
        }
    }

    /** Scores every file with a fresh detector per file; writes the NAB result files. */
    public static Map<String, double[]> run(
            Path root, List<String> files, Path out, MetricSettings settings) throws Exception {
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (String rel : files) {
            Series series = Series.read(root.resolve("data").resolve(rel));
            double[] values = series.doubles("value");
            double[][] perDetector = new double[DetectorKind.values().length][values.length];
            double[] s = scoreSeries(values, settings, perDetector);
            scores.put(rel, s);
            if (out != null) {
                String[] parts = rel.split("/");
                Path dir = out.resolve("sentinel").resolve(parts[0]);
                Files.createDirectories(dir);
                int ts = series.column("timestamp");
                try (BufferedWriter w =
                        Files.newBufferedWriter(dir.resolve("sentinel_" + parts[1]))) {
                    w.write("timestamp,value,anomaly_score,zscore,iqr,mad,cusum\n");
                    int vc = series.column("value");
                    for (int i = 0; i < values.length; i++) {
                        StringBuilder line = new StringBuilder();
                        line.append(series.rows().get(i)[ts]).append(',');
                        line.append(series.rows().get(i)[vc]).append(',').append(s[i]);
                        for (double[] d : perDetector) {
                            line.append(',').append(d[i]);
                        }
                        w.write(line.append('\n').toString());
                    }
                }
            }
        }
        return scores;
    }

    /** The combined score of every value of one series, through one key's detectors. */
    public static double[] scoreSeries(double[] values, MetricSettings settings) {
        return scoreSeries(values, settings, null);
    }

    /** Also fills {@code perDetector[kind][row]} with each detector's own score, if not null. */
    public static double[] scoreSeries(
            double[] values, MetricSettings settings, double[][] perDetector) {
        MetricDetector detector = new MetricDetector(Metric.LATENCY_MS, settings);
        MetricState state = new MetricState();
        double[] out = new double[values.length];
        double[] scores = new double[DetectorKind.values().length];
        for (int i = 0; i < values.length; i++) {
            java.util.Arrays.fill(scores, 0);
            Evaluation e = detector.evaluate(state, values[i], scores);
            out[i] = e.score();
            if (perDetector != null) {
                for (int k = 0; k < scores.length; k++) {
                    perDetector[k][i] = scores[k];
                }
            }
        }
        return out;
    }

    private static String required(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }
}

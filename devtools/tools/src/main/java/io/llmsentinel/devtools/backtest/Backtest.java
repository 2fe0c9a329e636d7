package io.llmsentinel.devtools.backtest;

import io.llmsentinel.functions.config.DetectionOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.detect.DetectorKind;
import io.llmsentinel.functions.detect.Direction;
import io.llmsentinel.functions.detect.Evaluation;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.MetricDetector;
import io.llmsentinel.functions.detect.MetricSettings;
import io.llmsentinel.functions.detect.MetricState;
import java.io.BufferedWriter;
import java.io.IOException;
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
        List<String> files = files(root, a.get("files"));
        if (a.containsKey("reproduce")) {
            System.exit(reproduce(root, files, a.get("reproduce")) ? 0 : 1);
        }
        Path out = Path.of(a.getOrDefault("out", "target/backtest"));
        Map<String, double[]> scores =
                run(root, files, out, DetectionOptions.seriesSettings(config, Direction.BOTH));
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
            int folds = Integer.parseInt(a.getOrDefault("folds", "3"));
            double cv =
                    new NabScorer(root)
                            .crossValidated(files, scores, folds, NabScorer.PROFILES.get(0));
            System.out.printf(
                    Locale.ROOT,
                    "cross-validated standard: %.2f (%d folds, every %d-th series; each fold scored"
                            + " at the threshold best on the others)%n",
                    cv,
                    folds,
                    folds);
            System.out.printf(
                    Locale.ROOT,
                    "NAB standard=%.2f reward_low_FP_rate=%.2f reward_low_FN_rate=%.2f"
                            + " cv_standard=%.2f%n",
                    result.get(0).normalized(),
                    result.get(1).normalized(),
                    result.get(2).normalized(),
                    cv);
        }
    }

    /**
     * The series to score: the list file (one path per line, relative to {@code data/}), else the
     * root's own {@code files.txt}, else every CSV under {@code data/} (a NAB checkout).
     */
    static List<String> files(Path root, String listFile) throws IOException {
        Path list = listFile != null ? Path.of(listFile) : root.resolve("files.txt");
        if (listFile != null || Files.isRegularFile(list)) {
            return Files.readAllLines(list).stream()
                    .map(String::trim)
                    .filter(l -> !l.isEmpty())
                    .toList();
        }
        Path data = root.resolve("data");
        try (var walk = Files.walk(data)) {
            return walk.filter(f -> f.toString().endsWith(".csv"))
                    .map(f -> data.relativize(f).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        }
    }

    /**
     * Scores published detectors' result files ({@code results/<name>/<folder>/<name>_<file>}) with
     * this project's scorer and compares them with the expected scores: {@code
     * numenta=69.04/62.18/73.19,null=0/0/0} (standard / reward_low_FP_rate / reward_low_FN_rate; a
     * name alone is only printed). True when every expected score is reproduced to two decimals.
     */
    static boolean reproduce(Path root, List<String> files, String spec) throws IOException {
        boolean ok = true;
        NabScorer scorer = new NabScorer(root);
        for (String item : spec.split(",")) {
            String[] kv = item.trim().split("=", 2);
            String name = kv[0];
            Map<String, double[]> scores = new LinkedHashMap<>();
            for (String rel : files) {
                String[] parts = rel.split("/");
                Path csv =
                        root.resolve("results")
                                .resolve(name)
                                .resolve(parts[0])
                                .resolve(name + "_" + parts[1]);
                scores.put(rel, Series.read(csv).doubles("anomaly_score"));
            }
            List<NabScorer.Score> result = scorer.score(files, scores);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-18s", name));
            for (int i = 0; i < result.size(); i++) {
                line.append(
                        String.format(
                                Locale.ROOT,
                                " %s=%.2f",
                                result.get(i).profile(),
                                result.get(i).normalized()));
            }
            if (kv.length == 2) {
                String[] expected = kv[1].split("/");
                boolean same = expected.length == result.size();
                for (int i = 0; same && i < expected.length; i++) {
                    same =
                            Math.abs(Double.parseDouble(expected[i]) - result.get(i).normalized())
                                    < 0.005;
                }
                line.append(same ? "  reproduced (expected " : "  NOT reproduced (expected ")
                        .append(kv[1])
                        .append(')');
                ok &= same;
            }
            System.out.println(line);
        }
        System.out.println(
                ok
                        ? "reproduce: the scorer reproduces every expected score"
                        : "reproduce: FAILED, the scorer does not reproduce every expected score");
        return ok;
    }

    /** Scores every file with a fresh detector per file; writes the NAB result files. */
    public static Map<String, double[]> run(
            Path root, List<String> files, Path out, MetricSettings settings) throws Exception {
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (String rel : files) {
            Series series = Series.read(root.resolve("data").resolve(rel));
            double[] values = series.doubles("value");
            long[] times = series.epochMillis("timestamp");
            double[][] perDetector = new double[DetectorKind.values().length][values.length];
            double[] s = scoreSeries(values, times, settings, perDetector);
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

    /**
     * The combined score of every value of one series (at the given times, epoch milliseconds),
     * through one key's detectors; also fills {@code perDetector[kind][row]} with each detector's
     * own score, if not null.
     */
    public static double[] scoreSeries(
            double[] values, long[] times, MetricSettings settings, double[][] perDetector) {
        MetricDetector detector = new MetricDetector(Metric.LATENCY_MS, settings);
        MetricState state = new MetricState();
        double[] out = new double[values.length];
        double[] scores = new double[DetectorKind.values().length];
        for (int i = 0; i < values.length; i++) {
            java.util.Arrays.fill(scores, 0);
            Evaluation e = detector.evaluate(state, values[i], times[i], scores);
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

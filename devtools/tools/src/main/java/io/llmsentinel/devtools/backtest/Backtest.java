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
 *                   [--variants FILE|'NAME key=value ...;NAME ...'] [--folds 3]
 *   telemetry mode: --telemetry [--duration S] [--rate N] [--config ...]   (see TelemetryBacktest)
 *   corpus mode:    --corpus DIR [--config ...]   (see CorpusBacktest)
 * </pre>
 *
 * In NAB mode each series goes through a fresh key's detectors in timestamp order (NAB files are in
 * order), one score per row, written to {@code OUT/sentinel/<folder>/sentinel_<file>.csv} with
 * columns {@code timestamp,value,anomaly_score}. With labels beside the data, prints the NAB scores
 * of the three profiles, cross-validated (3 folds) and leave-one-family-out; the last line is
 * {@code NAB standard=.. reward_low_FP_rate=.. reward_low_FN_rate=.. cv_standard=..
 * lofo_standard=..}. {@code --variants SPEC} compares configurations: each is run and scored, and
 * the leave-one-family-out figure chooses among them per held-out family on the others only.
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
        if (a.containsKey("corpus")) {
            CorpusBacktest.run(config, Path.of(a.get("corpus")), System.out);
            return;
        }
        Path root = Path.of(required(a, "nab-root"));
        List<String> files = files(root, a.get("files"));
        if (a.containsKey("reproduce")) {
            System.exit(reproduce(root, files, a.get("reproduce")) ? 0 : 1);
        }
        Path out = Path.of(a.getOrDefault("out", "target/backtest"));
        Path configFile = a.containsKey("config") ? Path.of(a.get("config")) : null;
        Map<String, Map<String, String>> variants = variants(a.get("variants"));
        Map<String, Map<String, double[]>> scoresByVariant = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, String>> v : variants.entrySet()) {
            SentinelConfig c =
                    v.getValue().isEmpty()
                            ? config
                            : SentinelConfig.load(configFile, v.getValue(), System::getenv);
            scoresByVariant.put(
                    v.getKey(),
                    run(
                            root,
                            files,
                            scoresByVariant.isEmpty() ? out : null,
                            DetectionOptions.seriesSettings(c, Direction.BOTH)));
        }
        System.out.printf(
                Locale.ROOT,
                "backtest: %d series scored, results in %s%n",
                files.size(),
                out.resolve("sentinel"));
        if (NabScorer.hasLabels(root)) {
            report(new NabScorer(root), files, scoresByVariant, a, System.out);
        }
    }

    /**
     * Prints the scores: per variant (when several) all series, cross-validated and
     * leave-one-family-out; the folds of the leave-one-family-out run that chooses among the
     * variants; last the line of the first variant (the configuration as given) whose {@code
     * lofo_standard} is that run's, so the figure chosen by is one nothing was fitted to.
     */
    static void report(
            NabScorer scorer,
            List<String> files,
            Map<String, Map<String, double[]>> scoresByVariant,
            Map<String, String> a,
            java.io.PrintStream out)
            throws IOException {
        NabScorer.Profile standard = NabScorer.PROFILES.get(0);
        int folds = Integer.parseInt(a.getOrDefault("folds", "3"));
        if (scoresByVariant.size() > 1) {
            for (Map.Entry<String, Map<String, double[]>> v : scoresByVariant.entrySet()) {
                List<NabScorer.Score> r = scorer.score(files, v.getValue());
                double cv = scorer.crossValidated(files, v.getValue(), folds, standard);
                double lofo =
                        scorer.leaveOneFamilyOut(files, Map.of(v.getKey(), v.getValue()), standard)
                                .normalized();
                out.printf(
                        Locale.ROOT,
                        "variant %-24s standard=%.2f low_FP=%.2f low_FN=%.2f cv=%.2f lofo=%.2f%n",
                        v.getKey(),
                        r.get(0).normalized(),
                        r.get(1).normalized(),
                        r.get(2).normalized(),
                        cv,
                        lofo);
            }
        }
        Map<String, double[]> scores = scoresByVariant.values().iterator().next();
        List<NabScorer.Score> result = scorer.score(files, scores);
        for (NabScorer.Score s : result) {
            out.printf(
                    Locale.ROOT,
                    "%-20s threshold=%.4f raw=%.3f score=%.2f%n",
                    s.profile(),
                    s.threshold(),
                    s.raw(),
                    s.normalized());
        }
        double cv = scorer.crossValidated(files, scores, folds, standard);
        out.printf(
                Locale.ROOT,
                "cross-validated standard: %.2f (%d folds, every %d-th series; each fold scored"
                        + " at the threshold best on the others)%n",
                cv,
                folds,
                folds);
        NabScorer.HeldOut lofo = scorer.leaveOneFamilyOut(files, scoresByVariant, standard);
        for (NabScorer.Fold f : lofo.folds()) {
            out.printf(
                    Locale.ROOT,
                    "lofo %-22s files=%d windows=%d chosen=%s threshold=%.4f train=%.2f"
                            + " held_out=%.2f%n",
                    f.family(),
                    f.files(),
                    f.windows(),
                    f.variant(),
                    f.threshold(),
                    f.trainScore(),
                    NabScorer.normalized(f, standard));
        }
        out.printf(
                Locale.ROOT,
                "leave-one-family-out standard: %.2f (each family scored with the variant and"
                        + " threshold best on the other families; %d variant(s))%n",
                lofo.normalized(),
                scoresByVariant.size());
        out.printf(
                Locale.ROOT,
                "NAB standard=%.2f reward_low_FP_rate=%.2f reward_low_FN_rate=%.2f"
                        + " cv_standard=%.2f lofo_standard=%.2f%n",
                result.get(0).normalized(),
                result.get(1).normalized(),
                result.get(2).normalized(),
                cv,
                lofo.normalized());
    }

    /**
     * The configurations to compare: first {@code config} (the configuration as given), then one
     * per entry of {@code spec}: a file with one variant a line, or the same lines separated by
     * {@code ;}, each {@code NAME key=value key=value ...} (configuration keys overriding the
     * file's, e.g. {@code noseason detection.metric.x.seasonal=false}); blank lines and lines
     * starting with {@code #} are skipped.
     */
    static Map<String, Map<String, String>> variants(String spec) throws IOException {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        out.put("config", Map.of());
        if (spec == null) {
            return out;
        }
        List<String> lines =
                Files.isRegularFile(Path.of(spec))
                        ? Files.readAllLines(Path.of(spec))
                        : List.of(spec.split(";"));
        for (String line : lines) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] parts = l.split("\\s+");
            Map<String, String> overrides = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException(
                            "variant '"
                                    + parts[0]
                                    + "': expected key=value, not '"
                                    + parts[i]
                                    + "'");
                }
                overrides.put(kv[0], kv[1]);
            }
            if (out.put(parts[0], overrides) != null) {
                throw new IllegalArgumentException("variant '" + parts[0] + "' given twice");
            }
        }
        return out;
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

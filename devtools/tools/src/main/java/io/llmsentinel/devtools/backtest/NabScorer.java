package io.llmsentinel.devtools.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Numenta Anomaly Benchmark (NAB v1.1) scoring rules: per file, the rows of each labelled
 * window earn a scaled sigmoid of their position (only the earliest detection in a window counts),
 * a window without detection costs A_FN, a detection outside the windows costs A_FP discounted by
 * its distance from the last window; the first 15% of a file (at most 750 rows) is probation. One
 * threshold per profile is swept over all files pooled; the raw total is normalised so the null
 * detector scores 0 and a perfect one 100. Lavin and Ahmad 2015, "Evaluating Real-time Anomaly
 * Detection Algorithms - the Numenta Anomaly Benchmark".
 */
public final class NabScorer {

    /** A scoring profile: weights of a true positive, a false positive and a false negative. */
    public record Profile(String name, double tp, double fp, double fn) {}

    public static final List<Profile> PROFILES =
            List.of(
                    new Profile("standard", 1.0, 0.11, 1.0),
                    new Profile("reward_low_FP_rate", 1.0, 0.22, 1.0),
                    new Profile("reward_low_FN_rate", 1.0, 0.11, 2.0));

    /** A profile's result at its best threshold. */
    public record Score(String profile, double threshold, double raw, double normalized) {}

    private static final double PROBATION_FRACTION = 0.15;
    private static final double PROBATION_CAP_ROWS = 0.15 * 5000;
    private static final double MAX_TP = scaledSigmoid(-1.0);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS]");

    private final Path nabRoot;
    private final JsonNode windows;

    /** Each file's rows (window membership, weights), read once: folds and variants reuse them. */
    private final Map<String, List<Point>> pointsByFile = new HashMap<>();

    private final Map<String, Integer> windowsByFile = new HashMap<>();

    public NabScorer(Path nabRoot) throws IOException {
        this.nabRoot = nabRoot;
        this.windows =
                new ObjectMapper()
                        .readTree(nabRoot.resolve("labels/combined_windows.json").toFile());
    }

    public static boolean hasLabels(Path nabRoot) {
        return Files.isRegularFile(nabRoot.resolve("labels/combined_windows.json"));
    }

    static double scaledSigmoid(double y) {
        if (y > 3.0) {
            return -1.0;
        }
        return 2.0 / (1.0 + Math.exp(5.0 * y)) - 1.0;
    }

    public static LocalDateTime parseTime(String s) {
        return LocalDateTime.parse(s.trim(), TIME);
    }

    /** One row: in a window (its weight and window number) or not, and scored or in probation. */
    private record Point(boolean inWindow, double base, int window, boolean scorable) {}

    private List<Point> points(List<LocalDateTime> ts, List<LocalDateTime[]> wins) {
        int n = ts.size();
        Map<LocalDateTime, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < n; i++) {
            firstIndex.putIfAbsent(ts.get(i), i);
        }
        double probation = Math.min(Math.floor(PROBATION_FRACTION * n), PROBATION_CAP_ROWS);
        List<LocalDateTime[]> pending = new ArrayList<>(wins);
        int curWin = -1;
        int curRight = 0;
        double curWidth = 0;
        LocalDateTime curEnd = null;
        boolean inWindow = false;
        boolean hasPrev = false;
        int prevRight = 0;
        double prevWidth = 0;
        int winNo = -1;
        List<Point> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            LocalDateTime t = ts.get(i);
            if (!pending.isEmpty() && t.equals(pending.get(0)[0])) {
                LocalDateTime[] w = pending.remove(0);
                winNo++;
                curWin = winNo;
                curRight = firstIndex.get(w[1]);
                curWidth = curRight - firstIndex.get(w[0]) + 1;
                curEnd = w[1];
                inWindow = true;
            }
            boolean scorable = i >= probation;
            if (inWindow) {
                double pos = -(curRight - i + 1) / curWidth;
                out.add(new Point(true, scaledSigmoid(pos), curWin, scorable));
            } else {
                double base =
                        hasPrev ? scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1.0)) : -1.0;
                out.add(new Point(false, base, -1, scorable));
            }
            if (inWindow && t.equals(curEnd)) {
                hasPrev = true;
                prevRight = i;
                prevWidth = curWidth;
                inWindow = false;
            }
        }
        return out;
    }

    /** Scores {@code scores} (file -> one score per row) on {@code files}, every profile. */
    public List<Score> score(List<String> files, Map<String, double[]> scores) throws IOException {
        Corpus c = corpus(files, scores);
        List<Score> out = new ArrayList<>();
        for (Profile p : PROFILES) {
            double[] best = sweep(c.points, files, scores, p);
            out.add(new Score(p.name(), best[0], best[1], normalized(best[1], c.windows, p)));
        }
        return out;
    }

    /**
     * Cross-validated score of a profile: the files are split into {@code k} folds (every k-th
     * file, in list order); for each fold the threshold is the best one on the other folds, and the
     * fold is scored at it. The raw scores of all folds are pooled and normalised over all windows,
     * so every file is scored exactly once, by a threshold chosen without it.
     */
    public double crossValidated(List<String> files, Map<String, double[]> scores, int k, Profile p)
            throws IOException {
        double raw = 0;
        int windows = 0;
        for (int fold = 0; fold < k; fold++) {
            List<String> train = new ArrayList<>();
            List<String> test = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                (i % k == fold ? test : train).add(files.get(i));
            }
            double threshold = sweep(corpus(train, scores).points, train, scores, p)[0];
            Corpus held = corpus(test, scores);
            raw += rawAt(held.points, test, scores, p, threshold);
            windows += held.windows;
        }
        return normalized(raw, windows, p);
    }

    /**
     * NAB's family of a series: its folder ({@code realTweets}, {@code realAWSCloudwatch}, ...),
     * the two artificial folders as one family ({@code artificial}), since they are one generator.
     */
    public static String family(String rel) {
        int slash = rel.indexOf('/');
        String folder = slash < 0 ? "" : rel.substring(0, slash);
        return folder.startsWith("artificial") ? "artificial" : folder;
    }

    /**
     * One held-out family: the variant and threshold chosen on the other families, and what the
     * family scored at them (raw, over its own windows).
     */
    public record Fold(
            String family,
            String variant,
            double threshold,
            double trainScore,
            int files,
            int windows,
            double raw) {}

    /** The pooled score of every family scored by what was chosen without it, and each fold. */
    public record HeldOut(double normalized, List<Fold> folds) {}

    /**
     * Leave-one-family-out score of a profile: each family ({@link #family}) is held out in turn;
     * on the other families, every variant (name -> file -> one score per row) is scored at its
     * best threshold, the variant that scores best there is chosen (ties: the earlier one), and the
     * held-out family is scored with that variant at that threshold. Raw scores of all folds are
     * pooled and normalised over all windows: every file is scored exactly once, and nothing that
     * scored it was chosen with it in view. With one variant only the threshold is chosen.
     */
    public HeldOut leaveOneFamilyOut(
            List<String> files, Map<String, Map<String, double[]>> variants, Profile p)
            throws IOException {
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("no variant to score");
        }
        Map<String, List<String>> families = new LinkedHashMap<>();
        for (String f : files) {
            families.computeIfAbsent(family(f), k -> new ArrayList<>()).add(f);
        }
        double raw = 0;
        int windows = 0;
        List<Fold> folds = new ArrayList<>();
        for (Map.Entry<String, List<String>> held : families.entrySet()) {
            List<String> test = held.getValue();
            List<String> train = files.stream().filter(f -> !test.contains(f)).toList();
            String chosen = null;
            double[] best = null;
            for (Map.Entry<String, Map<String, double[]>> v : variants.entrySet()) {
                double[] result = sweep(corpus(train, v.getValue()).points, train, v.getValue(), p);
                if (best == null || result[1] > best[1]) {
                    best = result;
                    chosen = v.getKey();
                }
            }
            Map<String, double[]> scores = variants.get(chosen);
            Corpus trainCorpus = corpus(train, scores);
            Corpus heldCorpus = corpus(test, scores);
            double foldRaw = rawAt(heldCorpus.points, test, scores, p, best[0]);
            folds.add(
                    new Fold(
                            held.getKey(),
                            chosen,
                            best[0],
                            normalized(best[1], trainCorpus.windows, p),
                            test.size(),
                            heldCorpus.windows,
                            foldRaw));
            raw += foldRaw;
            windows += heldCorpus.windows;
        }
        return new HeldOut(normalized(raw, windows, p), folds);
    }

    /** A fold's own normalised score (its raw score over its own windows). */
    public static double normalized(Fold f, Profile p) {
        return normalized(f.raw(), f.windows(), p);
    }

    private static double normalized(double raw, int windows, Profile p) {
        double nullScore = -p.fn() * windows;
        double perfect = p.tp() * windows;
        return 100.0 * (raw - nullScore) / (perfect - nullScore);
    }

    private record Corpus(List<List<Point>> points, int windows) {}

    private Corpus corpus(List<String> files, Map<String, double[]> scores) throws IOException {
        List<List<Point>> corpus = new ArrayList<>();
        int windowCount = 0;
        for (String rel : files) {
            List<Point> pts = pointsByFile.get(rel);
            if (pts == null) {
                List<LocalDateTime> ts = new ArrayList<>();
                for (String[] row : Series.read(nabRoot.resolve("data").resolve(rel)).rows()) {
                    ts.add(parseTime(row[0]));
                }
                List<LocalDateTime[]> wins = new ArrayList<>();
                for (JsonNode w : windows.path(rel)) {
                    wins.add(
                            new LocalDateTime[] {
                                parseTime(w.get(0).asText()), parseTime(w.get(1).asText())
                            });
                }
                pts = points(ts, wins);
                pointsByFile.put(rel, pts);
                windowsByFile.put(rel, wins.size());
            }
            windowCount += windowsByFile.get(rel);
            double[] s = scores.get(rel);
            if (s == null || s.length != pts.size()) {
                throw new IllegalArgumentException(
                        rel
                                + ": "
                                + (s == null
                                        ? "no scores"
                                        : s.length + " scores for " + pts.size() + " rows"));
            }
            corpus.add(pts);
        }
        return new Corpus(corpus, windowCount);
    }

    /** The raw score at a fixed threshold: rows scoring at least it are detections. */
    private static double rawAt(
            List<List<Point>> corpus,
            List<String> files,
            Map<String, double[]> scores,
            Profile p,
            double threshold) {
        double raw = 0;
        for (int f = 0; f < corpus.size(); f++) {
            double[] s = scores.get(files.get(f));
            List<Point> pts = corpus.get(f);
            Map<Integer, Double> best = new HashMap<>();
            for (int i = 0; i < pts.size(); i++) {
                Point pt = pts.get(i);
                if (pt.inWindow()) {
                    best.putIfAbsent(pt.window(), -p.fn());
                }
                if (!pt.scorable() || s[i] < threshold) {
                    continue;
                }
                if (pt.inWindow()) {
                    best.merge(pt.window(), pt.base() * p.tp() / MAX_TP, Math::max);
                } else {
                    raw += pt.base() * p.fp();
                }
            }
            for (double b : best.values()) {
                raw += b;
            }
        }
        return raw;
    }

    /** Returns {threshold, raw score} of the best threshold (ties: the highest threshold). */
    private static double[] sweep(
            List<List<Point>> corpus, List<String> files, Map<String, double[]> scores, Profile p) {
        record Row(double score, double weight, int key) {}
        List<Row> rows = new ArrayList<>();
        Map<Long, Integer> keyIds = new HashMap<>();
        for (int f = 0; f < corpus.size(); f++) {
            double[] s = scores.get(files.get(f));
            List<Point> pts = corpus.get(f);
            for (int i = 0; i < pts.size(); i++) {
                Point pt = pts.get(i);
                if (!pt.scorable()) {
                    continue;
                }
                if (pt.inWindow()) {
                    int key =
                            keyIds.computeIfAbsent(
                                    ((long) f << 32) | pt.window(), k -> keyIds.size());
                    rows.add(new Row(s[i], pt.base() * p.tp() / MAX_TP, key));
                } else {
                    rows.add(new Row(s[i], pt.base() * p.fp(), -1));
                }
            }
        }
        rows.sort((a, b) -> Double.compare(b.score(), a.score())); // stable, like NAB
        double[] best = new double[keyIds.size()];
        java.util.Arrays.fill(best, -p.fn());
        double bestSum = -p.fn() * keyIds.size();
        double fpSum = 0;
        double threshold = 1.1;
        double bestThreshold = threshold;
        double bestRaw = Double.NEGATIVE_INFINITY;
        for (Row r : rows) {
            if (r.score() != threshold) {
                double total = fpSum + bestSum;
                if (total > bestRaw) {
                    bestRaw = total;
                    bestThreshold = threshold;
                }
                threshold = r.score();
            }
            if (r.key() < 0) {
                fpSum += r.weight();
            } else if (r.weight() > best[r.key()]) {
                bestSum += r.weight() - best[r.key()];
                best[r.key()] = r.weight();
            }
        }
        double total = fpSum + bestSum;
        if (total > bestRaw) {
            bestRaw = total;
            bestThreshold = threshold;
        }
        return new double[] {bestThreshold, bestRaw};
    }
}

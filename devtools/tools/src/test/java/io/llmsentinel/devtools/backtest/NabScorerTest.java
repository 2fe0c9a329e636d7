package io.llmsentinel.devtools.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NAB scoring rules (Lavin and Ahmad 2015) on a corpus small enough to score by hand: two files
 * of 20 rows, one minute apart, laid out as a NAB checkout (data/, labels/combined_windows.json).
 * Reproducing the published scores of NAB's reference detectors on the real corpus is a benchmark
 * run, not a unit test: {@code scripts/backtest.sh --nab-root DIR --reproduce ...}.
 *
 * <p>The hand computation, with sigma(y) = 2 / (1 + e^(5y)) - 1 the scaled sigmoid:
 *
 * <ul>
 *   <li>Probation: floor(0.15 * 20) = 3 rows per file (rows 0-2) are not scored.
 *   <li>a.csv has one window, rows 10..14 (width 5). Row 11 is the earliest detection in it:
 *       position -(14 - 11 + 1) / 5 = -0.8, sigma(-0.8) = 0.964028; true positives are scaled by
 *       A_TP / sigma(-1) = 1 / 0.986614, so row 11 earns 0.977107 * A_TP. Row 13 (later, same
 *       window) earns nothing more.
 *   <li>a.csv row 5 is before any window: a false positive at full cost, -1 * A_FP.
 *   <li>a.csv row 17 is 3 rows after the window closed: -sigma(3 / (5 - 1)) = -0.954045 * A_FP.
 *   <li>b.csv has no window; rows 3..11 (row 2 is in probation) are 9 false positives, -9 * A_FP.
 *   <li>Normalisation: 1 window, so null = -A_FN and perfect = A_TP; score = 100 * (raw - null) /
 *       (perfect - null).
 * </ul>
 *
 * Scores: row 1 = 1.0 (probation), rows 11 and 13 = 0.5, row 5 = 0.6, row 17 = 0.7, b rows 2..11 =
 * 0.8. The sweep tries each distinct score as the threshold, highest first:
 *
 * <pre>
 *   standard (1, 0.11, 1):        at 0.5: 0.977107 - 0.11 - 0.104945 - 0.99 = -0.227838
 *                                 -> 100 * (-0.227838 + 1) / 2 = 38.61   (no detection: 0)
 *   reward_low_FP_rate (1, .22, 1): at 0.5: 0.977107 - 0.22 - 0.209890 - 1.98 = -1.432783 -> -21.64
 *                                 below detecting nothing (-1 -> 0.00): the best threshold is 1.1
 *   reward_low_FN_rate (1, .11, 2): at 0.5: -0.227838 -> 100 * (-0.227838 + 2) / 3 = 59.07
 * </pre>
 */
class NabScorerTest {

    @TempDir Path root;

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final LocalDateTime T0 = LocalDateTime.of(2020, 1, 1, 0, 0);

    private static String ts(int row) {
        return T0.plusMinutes(row).format(TS);
    }

    @BeforeEach
    void toyCorpus() throws Exception {
        Files.createDirectories(root.resolve("data/toy"));
        Files.createDirectories(root.resolve("labels"));
        for (String f : List.of("a.csv", "b.csv")) {
            StringBuilder csv = new StringBuilder("timestamp,value\n");
            for (int i = 0; i < 20; i++) {
                csv.append(ts(i)).append(',').append(i).append('\n');
            }
            Files.writeString(root.resolve("data/toy").resolve(f), csv);
        }
        Files.writeString(
                root.resolve("labels/combined_windows.json"),
                "{\"toy/a.csv\": [[\"" + ts(10) + "\", \"" + ts(14) + "\"]], \"toy/b.csv\": []}");
    }

    private static final List<String> FILES = List.of("toy/a.csv", "toy/b.csv");

    private static Map<String, double[]> scores() {
        double[] a = new double[20];
        a[1] = 1.0;
        a[5] = 0.6;
        a[11] = 0.5;
        a[13] = 0.5;
        a[17] = 0.7;
        double[] b = new double[20];
        for (int r = 2; r <= 11; r++) {
            b[r] = 0.8;
        }
        return Map.of("toy/a.csv", a, "toy/b.csv", b);
    }

    @Test
    void scoresEachProfileAsComputedByHand() throws Exception {
        List<NabScorer.Score> s = new NabScorer(root).score(FILES, scores());

        assertThat(s.get(0).profile()).isEqualTo("standard");
        assertThat(s.get(0).threshold()).isEqualTo(0.5);
        assertThat(s.get(0).raw()).isCloseTo(-0.227838, within(1e-6));
        assertThat(s.get(0).normalized()).isCloseTo(38.608, within(1e-3));

        assertThat(s.get(1).profile()).isEqualTo("reward_low_FP_rate");
        assertThat(s.get(1).threshold()).isEqualTo(1.1);
        assertThat(s.get(1).normalized()).isCloseTo(0.0, within(1e-9));

        assertThat(s.get(2).profile()).isEqualTo("reward_low_FN_rate");
        assertThat(s.get(2).normalized()).isCloseTo(59.072, within(1e-3));
    }

    @Test
    void onlyTheEarliestDetectionInAWindowCountsAndProbationIsFree() throws Exception {
        Map<String, double[]> s = new java.util.HashMap<>(scores());
        s.put("toy/b.csv", new double[20]);
        double[] a = s.get("toy/a.csv").clone();
        a[5] = 0;
        a[17] = 0;
        s.put("toy/a.csv", a);

        // Row 11 alone: 0.977107 -> 100 * 1.977107 / 2 = 98.855 (row 13 adds nothing, row 1 is
        // in probation).
        assertThat(new NabScorer(root).score(FILES, s).get(0).normalized())
                .isCloseTo(98.855, within(1e-3));

        // Detecting only at the window's last row (position -1/5): sigma(-0.2) = 0.462117 ->
        // 0.468388 after scaling -> 100 * 1.468388 / 2 = 73.419.
        double[] late = new double[20];
        late[14] = 0.9;
        s.put("toy/a.csv", late);
        assertThat(new NabScorer(root).score(FILES, s).get(0).normalized())
                .isCloseTo(73.419, within(1e-3));
    }

    @Test
    void theNullDetectorScoresZeroAndAPerfectOneScoresAHundredMinusItsLateness() throws Exception {
        Map<String, double[]> none =
                Map.of("toy/a.csv", new double[20], "toy/b.csv", new double[20]);
        assertThat(new NabScorer(root).score(FILES, none))
                .allSatisfy(x -> assertThat(x.normalized()).isCloseTo(0, within(1e-9)));

        // A detection at the window's first row: position -5/5 = -1, the maximum reward.
        double[] first = new double[20];
        first[10] = 1.0;
        Map<String, double[]> perfect = Map.of("toy/a.csv", first, "toy/b.csv", new double[20]);
        assertThat(new NabScorer(root).score(FILES, perfect))
                .allSatisfy(x -> assertThat(x.normalized()).isCloseTo(100, within(1e-9)));
    }

    @Test
    void crossValidationScoresEachFoldAtTheThresholdBestOnTheOthers() throws Exception {
        // Two folds: {a} and {b}. b alone has no window, so its best threshold is 1.1 (detect
        // nothing) and a is scored at it: its window missed, -1. a alone is best at 0.5
        // (0.977107 - 0.11 - 0.104945 = 0.762162 > -1), and b is scored at 0.5: 9 false
        // positives, -0.99. Pooled: -1.99 over 1 window -> 100 * (-1.99 + 1) / 2 = -49.5, far
        // below the 38.61 of a threshold chosen on both files at once.
        double cv =
                new NabScorer(root).crossValidated(FILES, scores(), 2, NabScorer.PROFILES.get(0));
        assertThat(cv).isCloseTo(-49.5, within(1e-6));
    }
}

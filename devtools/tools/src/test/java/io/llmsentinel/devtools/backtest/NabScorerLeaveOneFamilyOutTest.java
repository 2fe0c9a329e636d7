package io.llmsentinel.devtools.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leave-one-family-out bookkeeping on a corpus scored by hand: three files of 100 rows in two
 * families, laid out as a NAB checkout.
 *
 * <ul>
 *   <li>{@code artificialWithAnomaly/a.csv}: one window, rows 50..54; {@code
 *       artificialNoAnomaly/b.csv}: none. Both are the family {@code artificial}.
 *   <li>{@code realX/c.csv}: one window, rows 50..54; the family {@code realX}.
 *   <li>Probation is 15 rows. A detection at a window's first row (position -1) earns the full A_TP
 *       = 1; a missed window costs A_FN = 1; a detection before any window costs A_FP = 0.11.
 *       Detecting every row costs 35 false positives before the window alone (-3.85), so with all
 *       scores 0 the best threshold detects nothing (1.1, raw -1 per window).
 * </ul>
 *
 * Two variants: {@code p} finds a's anomaly (a[50] = 0.9) and misses c's; {@code q} misses a's,
 * finds c's (c[50] = 0.9) and has one false positive in b (b[30] = 0.95).
 *
 * <pre>
 *   held out artificial (train c):    p on c: -1 (nothing);  q on c: 1.0 at 0.9 -> q, 0.9
 *                                     a with q at 0.9: missed, -1; b: b[30] >= 0.9, -0.11
 *   held out realX (train a, b):      p: 1.0 at 0.9;  q: -1 (nothing beats it) -> p, 0.9
 *                                     c with p at 0.9: missed, -1
 *   pooled: -2.11 over 2 windows -> 100 * (-2.11 + 2) / (2 + 2) = -2.75
 * </pre>
 *
 * On all files at once {@code p} alone scores 100 * (1 - 1 + 2) / 4 = 50: a variant chosen with the
 * held-out family in view would look far better than one chosen without it.
 */
class NabScorerLeaveOneFamilyOutTest {

    @TempDir Path root;

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final LocalDateTime T0 = LocalDateTime.of(2020, 1, 1, 0, 0);
    private static final int ROWS = 100;
    private static final String A = "artificialWithAnomaly/a.csv";
    private static final String B = "artificialNoAnomaly/b.csv";
    private static final String C = "realX/c.csv";
    private static final List<String> FILES = List.of(A, B, C);

    private static String ts(int row) {
        return T0.plusMinutes(row).format(TS);
    }

    @BeforeEach
    void corpus() throws Exception {
        Files.createDirectories(root.resolve("labels"));
        for (String f : FILES) {
            Path csv = root.resolve("data").resolve(f);
            Files.createDirectories(csv.getParent());
            StringBuilder rows = new StringBuilder("timestamp,value\n");
            for (int i = 0; i < ROWS; i++) {
                rows.append(ts(i)).append(',').append(i).append('\n');
            }
            Files.writeString(csv, rows);
        }
        String window = "[[\"" + ts(50) + "\", \"" + ts(54) + "\"]]";
        Files.writeString(
                root.resolve("labels/combined_windows.json"),
                "{\""
                        + A
                        + "\": "
                        + window
                        + ", \""
                        + B
                        + "\": [], \""
                        + C
                        + "\": "
                        + window
                        + "}");
    }

    private static Map<String, double[]> scores(double a50, double b30, double c50) {
        double[] a = new double[ROWS];
        double[] b = new double[ROWS];
        double[] c = new double[ROWS];
        a[50] = a50;
        b[30] = b30;
        c[50] = c50;
        return Map.of(A, a, B, b, C, c);
    }

    private static Map<String, Map<String, double[]>> variants() {
        Map<String, Map<String, double[]>> v = new LinkedHashMap<>();
        v.put("p", scores(0.9, 0, 0));
        v.put("q", scores(0, 0.95, 0.9));
        return v;
    }

    @Test
    void theTwoArtificialFoldersAreOneFamily() {
        assertThat(NabScorer.family(A)).isEqualTo("artificial");
        assertThat(NabScorer.family(B)).isEqualTo("artificial");
        assertThat(NabScorer.family("realTweets/Twitter_volume_AAPL.csv")).isEqualTo("realTweets");
    }

    @Test
    void eachFamilyIsScoredOnceByTheVariantAndThresholdChosenOnTheOthers() throws Exception {
        NabScorer.HeldOut r =
                new NabScorer(root).leaveOneFamilyOut(FILES, variants(), NabScorer.PROFILES.get(0));

        assertThat(r.folds()).hasSize(2);
        NabScorer.Fold artificial = r.folds().get(0);
        assertThat(artificial.family()).isEqualTo("artificial");
        assertThat(artificial.files()).isEqualTo(2);
        assertThat(artificial.windows()).isEqualTo(1);
        assertThat(artificial.variant()).isEqualTo("q");
        assertThat(artificial.threshold()).isEqualTo(0.9);
        assertThat(artificial.trainScore()).isCloseTo(100, within(1e-9));
        assertThat(artificial.raw()).isCloseTo(-1.11, within(1e-9));

        NabScorer.Fold real = r.folds().get(1);
        assertThat(real.family()).isEqualTo("realX");
        assertThat(real.files()).isEqualTo(1);
        assertThat(real.variant()).isEqualTo("p");
        assertThat(real.threshold()).isEqualTo(0.9);
        assertThat(real.raw()).isCloseTo(-1, within(1e-9));

        assertThat(r.normalized()).isCloseTo(-2.75, within(1e-9));
        // The same variant scored on everything at once looks far better.
        assertThat(new NabScorer(root).score(FILES, variants().get("p")).get(0).normalized())
                .isCloseTo(50, within(1e-9));
    }

    @Test
    void withOneVariantOnlyTheThresholdIsChosen() throws Exception {
        // p alone: held out artificial, train c: nothing (1.1) -> a missed (-1), b nothing (0);
        // held out realX, train a and b: 0.9 -> c missed (-1). Pooled -2 -> 100 * 0 / 4 = 0.
        NabScorer.HeldOut r =
                new NabScorer(root)
                        .leaveOneFamilyOut(
                                FILES, Map.of("p", variants().get("p")), NabScorer.PROFILES.get(0));
        assertThat(r.folds().get(0).threshold()).isEqualTo(1.1);
        assertThat(r.folds().get(1).threshold()).isEqualTo(0.9);
        assertThat(r.normalized()).isCloseTo(0, within(1e-9));
    }

    @Test
    void variantsAreReadFromALineEachAfterTheConfigurationAsGiven() throws Exception {
        Map<String, Map<String, String>> v =
                Backtest.variants(
                        "noseason detection.seasonal=false ; # skipped\n;"
                                + " strict detection.zscore.threshold=4 detection.iqr.k=2");
        assertThat(v.keySet()).containsExactly("config", "noseason", "strict");
        assertThat(v.get("config")).isEmpty();
        assertThat(v.get("noseason")).containsEntry("detection.seasonal", "false");
        assertThat(v.get("strict"))
                .containsEntry("detection.zscore.threshold", "4")
                .containsEntry("detection.iqr.k", "2");
    }
}

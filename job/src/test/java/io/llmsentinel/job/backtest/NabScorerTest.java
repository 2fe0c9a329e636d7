package io.llmsentinel.job.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The project's NAB scorer reproduces the published scores of the reference detectors on the shared
 * NAB set (../shared/data/nab/README.md) to two decimals, so its scores of our own detectors can be
 * trusted.
 */
class NabScorerTest {

    /** The shared NAB set beside the repository (as CI lays it out), or SENTINEL_NAB_ROOT. */
    static Path nabRoot() {
        String env = System.getenv("SENTINEL_NAB_ROOT");
        Path root = env != null ? Path.of(env) : Path.of("../../shared/data/nab");
        assertThat(root.resolve("labels/combined_windows.json"))
                .as(
                        "the NAB data set must be at %s (or set SENTINEL_NAB_ROOT)",
                        root.toAbsolutePath())
                .exists();
        return root;
    }

    static List<String> files(Path root) throws Exception {
        return Files.readAllLines(root.resolve("files.txt")).stream()
                .filter(l -> !l.isBlank())
                .map(String::trim)
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "numenta, 69.04, 62.18, 73.19",
        "windowedGaussian, 34.77, 15.87, 43.21",
        "null, 0.00, 0.00, 0.00"
    })
    void reproducesPublishedScores(String detector, double standard, double lowFp, double lowFn)
            throws Exception {
        Path root = nabRoot();
        List<String> files = files(root);
        Map<String, double[]> scores = new HashMap<>();
        for (String rel : files) {
            String[] parts = rel.split("/");
            Path csv =
                    root.resolve("results")
                            .resolve(detector)
                            .resolve(parts[0])
                            .resolve(detector + "_" + parts[1]);
            scores.put(rel, Series.read(csv).doubles("anomaly_score"));
        }

        List<NabScorer.Score> result = new NabScorer(root).score(files, scores);

        assertThat(result.get(0).normalized()).isCloseTo(standard, within(0.005));
        assertThat(result.get(1).normalized()).isCloseTo(lowFp, within(0.005));
        assertThat(result.get(2).normalized()).isCloseTo(lowFn, within(0.005));
    }
}

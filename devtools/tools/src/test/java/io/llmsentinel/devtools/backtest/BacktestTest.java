package io.llmsentinel.devtools.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.devtools.generator.IncidentReport;
import io.llmsentinel.functions.config.DetectionOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.functions.detect.Direction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BacktestTest {

    private static final Path CONFIG = Path.of("../../conf/sentinel.yaml");

    /** A NAB-like layout in {@code root}: a flat line and a noisy series with one spike. */
    private static List<String> toyCorpus(Path root) throws Exception {
        Files.createDirectories(root.resolve("data/toy"));
        Random r = new Random(1);
        StringBuilder flat = new StringBuilder("timestamp,value\n");
        StringBuilder spiky = new StringBuilder("timestamp,value\n");
        LocalDateTime t = LocalDateTime.of(2020, 1, 1, 0, 0);
        for (int i = 0; i < 2000; i++) {
            String ts = t.plusMinutes(5L * i).toString().replace('T', ' ') + ":00";
            flat.append(ts).append(",42.0\n");
            double v = 100 + 5 * r.nextGaussian() + (i == 1500 ? 80 : 0);
            spiky.append(ts).append(',').append(v).append('\n');
        }
        Files.writeString(root.resolve("data/toy/flat.csv"), flat);
        Files.writeString(root.resolve("data/toy/spiky.csv"), spiky);
        return List.of("toy/flat.csv", "toy/spiky.csv");
    }

    @Test
    void writesOneScoreRowPerInputRowInNabLayout(@TempDir Path root, @TempDir Path out)
            throws Exception {
        List<String> files = toyCorpus(root);
        SentinelConfig config = SentinelConfig.load(CONFIG, Map.of(), n -> null);

        Map<String, double[]> scores =
                Backtest.run(
                        root, files, out, DetectionOptions.seriesSettings(config, Direction.BOTH));

        for (String rel : files) {
            String[] p = rel.split("/");
            List<String> written =
                    Files.readAllLines(
                            out.resolve("sentinel").resolve(p[0]).resolve("sentinel_" + p[1]));
            List<String> input = Files.readAllLines(root.resolve("data").resolve(rel));
            assertThat(written.get(0)).startsWith("timestamp,value,anomaly_score");
            assertThat(written).hasSameSizeAs(input);
            assertThat(written.get(1)).startsWith(input.get(1) + ",");
            assertThat(Arrays.stream(scores.get(rel)).allMatch(s -> s >= 0 && s <= 1)).isTrue();
        }
        // A flat line never looks anomalous; the spike is the highest score of its series.
        assertThat(scores.get("toy/flat.csv")).containsOnly(0.0);
        double[] spiky = scores.get("toy/spiky.csv");
        double max = Arrays.stream(spiky).max().orElse(0);
        assertThat(spiky[1500]).isEqualTo(max).isGreaterThan(0.5);
        // A checkout without files.txt: every CSV under data/.
        assertThat(Backtest.files(root, null)).containsExactlyElementsOf(files);
    }

    @Test
    void reproduceComparesPublishedResultsWithExpectedScores(@TempDir Path root) throws Exception {
        List<String> files = toyCorpus(root);
        Files.createDirectories(root.resolve("labels"));
        Files.writeString(
                root.resolve("labels/combined_windows.json"),
                "{\"toy/flat.csv\": [], \"toy/spiky.csv\":"
                        + " [[\"2020-01-06 04:00:00\", \"2020-01-06 06:00:00\"]]}");
        // A "published" detector that never detects anything: the null detector, 0 everywhere.
        for (String rel : files) {
            String[] p = rel.split("/");
            Path dir = Files.createDirectories(root.resolve("results/nothing").resolve(p[0]));
            List<String> rows = Files.readAllLines(root.resolve("data").resolve(rel));
            StringBuilder csv = new StringBuilder("timestamp,anomaly_score\n");
            rows.stream().skip(1).forEach(l -> csv.append(l.split(",")[0]).append(",0\n"));
            Files.writeString(dir.resolve("nothing_" + p[1]), csv);
        }
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            assertThat(Backtest.reproduce(root, files, "nothing=0/0/0")).isTrue();
            assertThat(Backtest.reproduce(root, files, "nothing=12.5/0/0")).isFalse();
        } finally {
            System.setOut(stdout);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("reproduced (expected 0/0/0)")
                .contains("NOT reproduced (expected 12.5/0/0)");
    }

    @Test
    void detectsEveryInjectedIncidentTypeInGeneratedTelemetry() throws Exception {
        SentinelConfig config = SentinelConfig.load(CONFIG, Map.of(), n -> null);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        List<IncidentReport.Outcome> outcomes =
                TelemetryBacktest.run(
                        config,
                        Map.of(
                                "duration",
                                "1500",
                                "rate",
                                "20",
                                "seed",
                                "7",
                                // after the quiet start (alerts.quiet-start.min-age, 5 minutes)
                                "incident",
                                "latency_spike@420+180,token_explosion@840+180,cost_jump@1080+180,"
                                        + "error_burst@1260+180"),
                        new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(outcomes).hasSize(4);
        assertThat(outcomes)
                .allSatisfy(o -> assertThat(o.detected()).as(o.type() + " detected").isTrue());
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("per hour of event time");
        // The alert policy over the same anomalies: every incident alerted, every alert resolved,
        // and ordinary traffic (about a thousand anomalies an hour) interrupts almost nobody.
        String last = text.strip().lines().reduce((a, b) -> b).orElseThrow();
        var m =
                java.util.regex.Pattern.compile(
                                "^telemetry incidents_alerted=(\\d+)/(\\d+) alerts_outside_per_hour=([\\d.]+)"
                                        + " anomalies_outside_per_hour=([\\d.]+) median_delay_s=([\\d.]+)"
                                        + " resolved=(\\d+)/(\\d+)$")
                        .matcher(last);
        assertThat(m.matches()).as(last).isTrue();
        assertThat(m.group(1)).isEqualTo("4");
        assertThat(m.group(2)).isEqualTo("4");
        // At most two alerts outside incidents in these 25 minutes of event time.
        assertThat(Double.parseDouble(m.group(3)) * 1500 / 3600).isLessThanOrEqualTo(2.0);
        assertThat(Double.parseDouble(m.group(4))).isGreaterThan(100); // evidence is kept
        assertThat(Double.parseDouble(m.group(5))).isLessThan(10);
        assertThat(m.group(6)).isEqualTo(m.group(7));
    }
}

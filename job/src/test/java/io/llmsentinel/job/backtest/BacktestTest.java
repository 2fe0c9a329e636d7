package io.llmsentinel.job.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmsentinel.job.config.SentinelConfig;
import io.llmsentinel.job.generator.IncidentReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BacktestTest {

    private static final Path CONFIG = Path.of("../conf/sentinel.yaml");

    @Test
    void writesOneScoreRowPerInputRowInNabLayout(@TempDir Path out) throws Exception {
        Path root = NabScorerTest.nabRoot();
        List<String> files =
                List.of("realKnownCause/nyc_taxi.csv", "artificialNoAnomaly/art_flatline.csv");
        SentinelConfig config = SentinelConfig.load(CONFIG, Map.of(), n -> null);

        Map<String, double[]> scores =
                Backtest.run(
                        root,
                        files,
                        out,
                        config.seriesSettings(io.llmsentinel.functions.detect.Direction.BOTH));

        for (String rel : files) {
            String[] p = rel.split("/");
            List<String> written =
                    Files.readAllLines(
                            out.resolve("sentinel").resolve(p[0]).resolve("sentinel_" + p[1]));
            List<String> input = Files.readAllLines(root.resolve("data").resolve(rel));
            assertThat(written.get(0)).startsWith("timestamp,value,anomaly_score");
            assertThat(written).hasSameSizeAs(input);
            assertThat(written.get(1)).startsWith(input.get(1) + ",");
            assertThat(java.util.Arrays.stream(scores.get(rel)).allMatch(s -> s >= 0 && s <= 1))
                    .isTrue();
        }
        // A flat line never looks anomalous; the taxi series has its anomalies.
        assertThat(scores.get("artificialNoAnomaly/art_flatline.csv")).containsOnly(0.0);
        assertThat(
                        java.util.Arrays.stream(scores.get("realKnownCause/nyc_taxi.csv"))
                                .max()
                                .orElse(0))
                .isGreaterThan(0.5);
    }

    @Test
    void detectsEveryInjectedIncidentTypeInGeneratedTelemetry() throws Exception {
        SentinelConfig config = SentinelConfig.load(CONFIG, Map.of(), n -> null);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        List<IncidentReport.Outcome> outcomes =
                TelemetryBacktest.run(
                        config,
                        Map.of("duration", "1500", "rate", "20", "seed", "7"),
                        new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(outcomes).hasSize(4);
        assertThat(outcomes)
                .allSatisfy(o -> assertThat(o.detected()).as(o.type() + " detected").isTrue());
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("per hour of event time");
    }
}

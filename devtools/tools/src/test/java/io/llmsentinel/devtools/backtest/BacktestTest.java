package io.llmsentinel.devtools.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
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
        var m = LINE.matcher(last);
        assertThat(m.matches()).as(last).isTrue();
        assertThat(m.group(1)).isEqualTo("4");
        assertThat(m.group(2)).isEqualTo("4");
        // At most two alerts outside incidents in these 25 minutes of event time.
        assertThat(Double.parseDouble(m.group(3)) * 1500 / 3600).isLessThanOrEqualTo(2.0);
        assertThat(Double.parseDouble(m.group(4))).isGreaterThan(100); // evidence is kept
        assertThat(Double.parseDouble(m.group(5))).isLessThan(10);
        assertThat(m.group(6)).isEqualTo(m.group(7));
        // every incident of the telemetry backtest is scored, so paged counts them all
        assertThat(m.group(9)).isEqualTo(m.group(2));
        // the generator's five services, and the tool key of each of the two that use tools
        assertThat(Integer.parseInt(m.group(12))).isEqualTo(7);
        assertThat(m.group(14)).as("no read counts outside corpus mode").isNull();
        // One opening notification per injected incident: the alerts of one incident are grouped.
        assertThat(Double.parseDouble(m.group(13))).isEqualTo(1.0);
    }

    @Test
    void catchesEachLlmSpecificIncidentByItsOwnShare() throws Exception {
        SentinelConfig config = SentinelConfig.load(CONFIG, Map.of(), n -> null);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        // Two at a time on different services; one service's next incident only after the
        // previous one's alerts resolved (alerts.window-recovery-window, 3 minutes).
        String incidents =
                "content_filter@600+180,truncation@600+180,rate_limited@900+180,"
                        + "cache_miss@900+180,tool_failures:support-bot@1200+180";

        List<IncidentReport.Outcome> outcomes =
                TelemetryBacktest.run(
                        config,
                        Map.of(
                                "duration",
                                "1620",
                                "rate",
                                "20",
                                "seed",
                                "5",
                                "incident",
                                incidents),
                        new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(outcomes).hasSize(5);
        assertThat(outcomes)
                .allSatisfy(o -> assertThat(o.detected()).as(o.type() + " detected").isTrue());
        String text = printed.toString(StandardCharsets.UTF_8);
        // Each is alerted, and paged, by the share it moves: the LLM-specific kinds expect their
        // own metric (IncidentWindow.of), and the line would mark any other.
        for (String[] kind :
                List.of(
                        new String[] {"content_filter", "content_filter_rate"},
                        new String[] {"truncation", "truncation_rate"},
                        new String[] {"rate_limited", "rate_limited_rate"},
                        new String[] {"cache_miss", "cache_hit_ratio"},
                        new String[] {"tool_failures", "tool_error_rate"})) {
            assertThat(text.lines().filter(l -> l.startsWith(kind[0] + " ")).toList())
                    .as(kind[0])
                    .anySatisfy(
                            l ->
                                    assertThat(l)
                                            .contains(" ALERTED ", " " + kind[1] + " ", "; paged ")
                                            .doesNotContain("not an expected metric"));
        }
        String last = text.strip().lines().reduce((a, b) -> b).orElseThrow();
        var m = LINE.matcher(last);
        assertThat(m.matches()).as(last).isTrue();
        assertThat(m.group(1)).as("alerted").isEqualTo("5");
        assertThat(m.group(2)).as("scored").isEqualTo("5");
        assertThat(m.group(8)).as("paged").isEqualTo("5");
        assertThat(Double.parseDouble(m.group(3)) * 1620 / 3600).isLessThanOrEqualTo(1.0);
        assertThat(Double.parseDouble(m.group(13))).isEqualTo(1.0);
    }

    @Test
    void anLlmSpecificIncidentExpectsItsOwnShareAndTheOthersEveryMetric() {
        IncidentWindow truncation =
                IncidentWindow.of(
                        io.llmsentinel.devtools.generator.GeneratorMain.parseIncident(
                                "truncation@60+60", 0));
        assertThat(truncation.expectedMetrics()).containsExactly("truncation_rate");
        assertThat(truncation.unwatched(Set.of("latency_ms", "error_rate")))
                .as("not scored while detection does not watch its share")
                .containsExactly("truncation_rate");
        assertThat(truncation.unwatched(Set.of("truncation_rate"))).isEmpty();
        IncidentWindow tools =
                IncidentWindow.of(
                        io.llmsentinel.devtools.generator.GeneratorMain.parseIncident(
                                "tool_failures@60+60", 0));
        assertThat(tools.covers(tools.service(), "-", 70_000)).as("its tool key").isTrue();
        IncidentWindow latency =
                IncidentWindow.of(
                        io.llmsentinel.devtools.generator.GeneratorMain.parseIncident(
                                "latency_spike@60+60", 0));
        assertThat(latency.expectedMetrics()).isEmpty();
        assertThat(latency.unwatched(Set.of())).isEmpty();
    }

    /** The alert summary's last line; groups 13-18 only in corpus mode. */
    static final Pattern LINE =
            Pattern.compile(
                    "^telemetry incidents_alerted=(\\d+)/(\\d+) alerts_outside_per_hour=([\\d.]+)"
                            + " anomalies_outside_per_hour=([\\d.]+) median_delay_s=([\\d.]+|NaN)"
                            + " resolved=(\\d+)/(\\d+) paged=(\\d+)/(\\d+)"
                            + " median_page_delay_s=([\\d.]+|NaN)"
                            + " alerts_outside_per_hour_per_key=([\\d.]+) keys=(\\d+)"
                            + "(?: notifications_per_incident=([\\d.]+))?"
                            + "( requests=(\\d+) tool_executions=(\\d+) skipped=(\\S+)"
                            + " dead_lettered=(\\d+)(?: invalid=\\S+)? late_for_windows=(\\d+))?$");

    private static final Path SAMPLES = Path.of("../../functions/src/test/resources/corpus");

    @Test
    void replaysCorpusSamplesAndCountsWhatTheReaderRead() throws Exception {
        SentinelConfig config = SentinelConfig.load(CONFIG, Map.of(), n -> null);
        ObjectMapper json = new ObjectMapper();
        Set<String> watched = new HashSet<>();
        DetectionOptions.settings(config).metrics().keySet().forEach(x -> watched.add(x.code()));

        for (String variant : List.of("otel", "ai-sdk")) {
            Path dir = SAMPLES.resolve(variant);
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            Map<String, AlertSummary> summaries =
                    CorpusBacktest.run(
                            config, dir, new PrintStream(printed, true, StandardCharsets.UTF_8));
            String text = printed.toString(StandardCharsets.UTF_8);
            String last = text.strip().lines().reduce((a, b) -> b).orElseThrow();
            var m = LINE.matcher(last);
            assertThat(m.matches()).as(last).isTrue();
            assertThat(summaries).containsOnlyKeys(variant);
            assertThat(summaries.get(variant).line()).isEqualTo(last);

            JsonNode calls = json.readTree(dir.resolve("calls.json").toFile());
            JsonNode incidents = json.readTree(dir.resolve("incidents.json").toFile());
            // Both libraries export a span for each call, failed ones too.
            assertThat(Long.parseLong(m.group(15))).isEqualTo(calls.get("llm_calls").asLong());
            Set<String> keys = new HashSet<>();
            calls.get("by_key")
                    .forEach(
                            k ->
                                    keys.add(
                                            k.get("service").asText()
                                                    + "|"
                                                    + k.get("model").asText()));
            Set<String> services = new HashSet<>();
            calls.get("by_key").forEach(k -> services.add(k.get("service").asText()));
            int keysSeen = Integer.parseInt(m.group(12));
            if (variant.equals("ai-sdk")) {
                // tool executions: one key per service, never judged per request
                assertThat(Long.parseLong(m.group(16)))
                        .isEqualTo(calls.get("tool_executions").asLong())
                        .isPositive();
                assertThat(m.group(17)).matches("not_genai:\\d+,framework:\\d+");
                // and the tools' own key per service that ran one
                assertThat(keysSeen).isBetween(keys.size() + 1, keys.size() + services.size());
            } else {
                assertThat(m.group(16)).isEqualTo("0");
                assertThat(m.group(17)).matches("not_genai:\\d+");
                assertThat(keysSeen).isEqualTo(keys.size());
            }
            assertThat(m.group(18)).as("dead-lettered messages").isEqualTo("0");
            assertThat(m.group(19)).as("requests too late for their window").isEqualTo("0");

            // Scored: the incidents whose every expected metric is watched; the others listed.
            int scored = 0;
            for (JsonNode i : incidents) {
                boolean all = true;
                for (JsonNode e : i.get("expected_metrics")) {
                    all &= watched.contains(e.asText());
                }
                scored += all ? 1 : 0;
            }
            assertThat(scored).as("the sample has incidents detection can see").isPositive();
            assertThat(m.group(2)).isEqualTo(String.valueOf(scored));
            assertThat(m.group(9)).isEqualTo(String.valueOf(scored));
            assertThat(text.lines().filter(l -> l.startsWith("signal incident ")).count())
                    .isEqualTo(incidents.size() - scored);
        }
    }

    @Test
    void aCorpusFolderReplaysEveryVariantInIt() throws Exception {
        SentinelConfig config = SentinelConfig.load(CONFIG, Map.of(), n -> null);
        assertThat(CorpusBacktest.variants(SAMPLES))
                .extracting(p -> p.getFileName().toString())
                .containsExactly("ai-sdk", "openinference", "openllmetry", "otel", "spring-ai");
        assertThat(CorpusBacktest.variants(SAMPLES.resolve("otel")))
                .containsExactly(SAMPLES.resolve("otel"));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Map<String, AlertSummary> summaries =
                CorpusBacktest.run(
                        config, SAMPLES, new PrintStream(printed, true, StandardCharsets.UTF_8));
        assertThat(summaries).hasSize(5);
        assertThat(
                        printed.toString(StandardCharsets.UTF_8)
                                .lines()
                                .filter(l -> LINE.matcher(l).matches()))
                .hasSize(5);
    }
}

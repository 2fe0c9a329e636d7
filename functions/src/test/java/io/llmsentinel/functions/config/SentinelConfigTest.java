package io.llmsentinel.functions.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmsentinel.functions.detect.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentinelConfigTest {

    @TempDir Path dir;

    static final Path SHIPPED = Path.of("../conf/sentinel.yaml");

    private Path write(String yaml) throws Exception {
        Path f = dir.resolve("sentinel.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void shippedFileIsValidAndMatchesTheDefaults() {
        SentinelConfig shipped = SentinelConfig.load(SHIPPED, Map.of(), n -> null);
        SentinelConfig defaults = SentinelConfig.defaults();

        Map<String, String> d = defaults.describe();
        shipped.describe()
                .forEach(
                        (k, v) -> {
                            if (d.containsKey(k)) {
                                assertThat(v)
                                        .as("conf/sentinel.yaml documents the default of %s", k)
                                        .isEqualTo(d.get(k));
                            }
                        });
        // The file lists every option, so it is complete documentation.
        for (var option : SentinelConfig.allOptions()) {
            String leaf = option.key().substring(option.key().lastIndexOf('.') + 1);
            assertThat(readShipped())
                    .as("conf/sentinel.yaml mentions %s", option.key())
                    .contains(leaf + ":");
        }
        assertThat(shipped.priceTable().costUsd("gpt-4o", 1_000_000, 0)).isEqualTo(2.5);
    }

    private static String readShipped() {
        try {
            return Files.readString(SHIPPED);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void fileThenCommandLineOverrides() throws Exception {
        Path f =
                write(
                        "kafka:\n  bootstrap-servers: a:1\ndetection:\n  warmup: 50\n"
                                + "  metrics: [latency_ms, cost_usd]\nevent-time:\n  idleness: 5 s\n");
        SentinelConfig c =
                SentinelConfig.load(f, Map.of("kafka.bootstrap-servers", "b:2"), n -> null);

        assertThat(c.get(KafkaOptions.BOOTSTRAP_SERVERS)).isEqualTo("b:2");
        assertThat(c.get(DetectionOptions.WARMUP)).isEqualTo(50);
        assertThat(c.get(EventTimeOptions.IDLENESS)).isEqualTo(Duration.ofSeconds(5));
        assertThat(DetectionOptions.metrics(c)).containsExactly(Metric.LATENCY_MS, Metric.COST_USD);
        assertThat(DetectionOptions.settings(c).metrics().get(Metric.COST_USD).warmup())
                .isEqualTo(50);
    }

    @Test
    void unknownKeyIsNamedWithASuggestion() throws Exception {
        Path f = write("detection:\n  warmpu: 3\n");
        assertThatThrownBy(() -> SentinelConfig.load(f, Map.of(), n -> null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'detection.warmpu'")
                .hasMessageContaining("did you mean 'detection.warmup'");
    }

    @Test
    void badValuesAreNamedWithTheirKey() {
        assertThatThrownBy(() -> load("detection.warmup", "many"))
                .hasMessageContaining("'detection.warmup'");
        assertThatThrownBy(() -> load("detection.warmup", "1"))
                .hasMessageContaining("'detection.warmup' must be at least 4");
        assertThatThrownBy(() -> load("event-time.idleness", "soon"))
                .hasMessageContaining("'event-time.idleness'");
        assertThatThrownBy(() -> load("keys.dimensions", "service;colour"))
                .hasMessageContaining("'keys.dimensions'")
                .hasMessageContaining("colour");
        assertThatThrownBy(() -> load("detection.metrics", "latency_ms;vibes"))
                .hasMessageContaining("'detection.metrics'")
                .hasMessageContaining("vibes");
        assertThatThrownBy(() -> load("kafka.starting-offsets", "sometime"))
                .hasMessageContaining("'kafka.starting-offsets'");
        assertThatThrownBy(() -> load("job.parallelism", "0"))
                .hasMessageContaining("'job.parallelism'");
    }

    @Test
    void badPricesAreNamed() throws Exception {
        Path f =
                write("pricing:\n  models:\n    gpt-4o: {input-per-1m: cheap, output-per-1m: 1}\n");
        assertThatThrownBy(() -> SentinelConfig.load(f, Map.of(), n -> null))
                .hasMessageContaining("'pricing.models.gpt-4o'");
    }

    @Test
    void secretsComeFromTheEnvironmentAndAreHidden() throws Exception {
        Path f =
                write(
                        "kafka:\n  properties:\n    sasl.jaas.config: ${env:JAAS}\n"
                                + "    security.protocol: SASL_SSL\n");
        SentinelConfig c =
                SentinelConfig.load(f, Map.of(), n -> n.equals("JAAS") ? "s3cr3t-value" : null);

        assertThat(c.kafkaClientProperties()).containsEntry("sasl.jaas.config", "s3cr3t-value");
        assertThat(c.describe()).containsEntry("kafka.properties.sasl.jaas.config", "******");
        assertThat(c.describe()).containsEntry("kafka.properties.security.protocol", "SASL_SSL");
        assertThat(c.describe().toString()).doesNotContain("s3cr3t-value");
    }

    @Test
    void missingEnvironmentVariableIsNamed() throws Exception {
        Path f = write("kafka:\n  properties:\n    sasl.jaas.config: ${env:NOT_SET_ANYWHERE}\n");
        assertThatThrownBy(() -> SentinelConfig.load(f, Map.of(), n -> null))
                .hasMessageContaining("'kafka.properties.sasl.jaas.config'")
                .hasMessageContaining("NOT_SET_ANYWHERE");
    }

    @Test
    void atLeastOneInput() {
        assertThatThrownBy(
                        () ->
                                SentinelConfig.load(
                                        null,
                                        Map.of(
                                                "inputs.otlp-traces.enabled", "false",
                                                "inputs.native-events.enabled", "false",
                                                "inputs.otlp-metrics.enabled", "false"),
                                        n -> null))
                .hasMessageContaining("no input enabled");
    }

    private static SentinelConfig load(String key, String value) {
        return SentinelConfig.load(null, Map.of(key, value), n -> null);
    }

    @Test
    void perMetricSettingsFallBackToGlobalOnesAndTheSensitivityPresetScalesThem() {
        SentinelConfig c =
                SentinelConfig.load(
                        null,
                        Map.of(
                                "detection.metric.latency_ms.zscore.threshold", "4",
                                "detection.metric.latency_ms.detectors", "zscore;cusum",
                                "detection.metric.error_rate.direction", "both",
                                "detection.sensitivity", "high"),
                        n -> null);
        var s = DetectionOptions.settings(c).metrics();
        assertThat(s.get(Metric.LATENCY_MS).zThreshold()).isEqualTo(4 * 0.8);
        assertThat(s.get(Metric.LATENCY_MS).detectors())
                .containsExactlyInAnyOrder(
                        io.llmsentinel.functions.detect.DetectorKind.ZSCORE,
                        io.llmsentinel.functions.detect.DetectorKind.CUSUM);
        assertThat(s.get(Metric.TTFT_MS).zThreshold()).isEqualTo(3 * 0.8);
        assertThat(s.get(Metric.TTFT_MS).detectors()).hasSize(4);
        assertThat(s.get(Metric.ERROR_RATE).direction())
                .isEqualTo(io.llmsentinel.functions.detect.Direction.BOTH);
        assertThat(s.get(Metric.LATENCY_MS).logScale()).isTrue();
        assertThat(s.get(Metric.REQUEST_RATE).logScale()).isFalse();
    }

    @Test
    void badPerMetricValuesAreNamed() {
        assertThatThrownBy(() -> load("detection.metric.ttft_ms.direction", "sideways"))
                .hasMessageContaining("'detection.metric.ttft_ms.direction'");
        assertThatThrownBy(() -> load("detection.metric.ttft_ms.iqr.k", "wide"))
                .hasMessageContaining("'detection.metric.ttft_ms.iqr.k'");
        assertThatThrownBy(() -> load("detection.metric.ttft_ms.detectors", "zscore;oracle"))
                .hasMessageContaining("'detection.metric.ttft_ms.detectors'");
        assertThatThrownBy(() -> load("detection.metric.vibes.warmup", "3"))
                .hasMessageContaining("unknown configuration key 'detection.metric.vibes.warmup'");
    }

    @Test
    void listsParseFromCommandLine() {
        assertThat(load("keys.dimensions", "service;environment").get(KeyOptions.DIMENSIONS))
                .isEqualTo(List.of("service", "environment"));
    }

    @Test
    void environmentOverridesTheFileAndTheCommandLineOverridesTheEnvironment() throws Exception {
        Path f = write("query-api:\n  port: 8080\nkafka:\n  group-id: from-file\n");
        Map<String, String> env =
                Map.of(
                        "SENTINEL_QUERY_API_PORT", "9090",
                        "SENTINEL_KAFKA_GROUP_ID", "from-env",
                        "SENTINEL_QUERY_API_TOKEN_HASHES", "aa,bb",
                        "SENTINEL_SINKS_INFLUXDB_DATABASE", "demo");
        SentinelConfig c = SentinelConfig.load(f, Map.of("kafka.group-id", "from-args"), env::get);

        assertThat(c.get(QueryApiOptions.PORT)).isEqualTo(9090);
        assertThat(c.get(KafkaOptions.GROUP_ID)).isEqualTo("from-args");
        assertThat(c.get(QueryApiOptions.TOKEN_HASHES)).containsExactly("aa", "bb");
        assertThat(c.get(InfluxDbOptions.DATABASE)).isEqualTo("demo");
        assertThat(SentinelConfig.envName("query-api.cors-allowed-origins"))
                .isEqualTo("SENTINEL_QUERY_API_CORS_ALLOWED_ORIGINS");
    }

    @Test
    void everyGroupOwnsItsKeysAndNoKeyIsDeclaredTwice() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (OptionGroup g : SentinelConfig.GROUPS) {
            assertThat(g.options()).as("%s declares options", g.getClass()).isNotEmpty();
            for (var o : g.options()) {
                assertThat(seen.add(o.key())).as("%s is declared once", o.key()).isTrue();
                assertThat(o.hasDefaultValue()).as("%s has a default", o.key()).isTrue();
                assertThat(o.description().toString()).as("%s is described", o.key()).isNotBlank();
            }
        }
        // A key added to a group is known without any list to update.
        assertThat(seen).contains("query-api.port", "sinks.redis.baseline-every", "job.name");
    }

    @Test
    void theQueryApiSectionIsValidatedLikeEveryOther() {
        assertThatThrownBy(() -> load("query-api.cache-ttl", "soon"))
                .hasMessageContaining("'query-api.cache-ttl'");
        assertThatThrownBy(() -> load("query-api.prot", "1"))
                .hasMessageContaining("did you mean 'query-api.port'");
    }

    @Test
    void aWebhookFieldTakenFromTheEnvironmentIsNeverPrinted() throws Exception {
        Path f = dir.resolve("hooks.yaml");
        Files.writeString(
                f,
                "sinks:\n"
                        + "  webhooks:\n"
                        + "    - name: ops\n"
                        + "      url: \"${env:OPS_HOOK_URL}\"\n");
        SentinelConfig c =
                SentinelConfig.load(
                        f,
                        Map.of(),
                        n ->
                                n.equals("OPS_HOOK_URL")
                                        ? "https://hooks.example/t0ken-in-path"
                                        : null);
        assertThat(c.webhookEntries().get(0).get("url"))
                .containsExactly("https://hooks.example/t0ken-in-path");
        assertThat(c.describe().toString())
                .contains("sinks.webhooks[0]")
                .doesNotContain("t0ken-in-path");
    }
}

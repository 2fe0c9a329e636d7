package io.llmsentinel.job.config;

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
        for (var option : SentinelOptions.ALL) {
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

        assertThat(c.get(SentinelOptions.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("b:2");
        assertThat(c.get(SentinelOptions.WARMUP)).isEqualTo(50);
        assertThat(c.get(SentinelOptions.IDLENESS)).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.metrics()).containsExactly(Metric.LATENCY_MS, Metric.COST_USD);
        assertThat(c.detectionSettings().metrics().get(Metric.COST_USD).warmup()).isEqualTo(50);
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
                                                "inputs.native-events.enabled", "false"),
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
        var s = c.detectionSettings().metrics();
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
    void webhooksFromTheFileAndFromTheEnvironment() throws Exception {
        Path f =
                write(
                        "sinks:\n  webhooks:\n    - name: ops\n      url: https://hooks.example.com/x\n"
                                + "      secrets: [\"${env:HOOK_SECRET}\"]\n      min-severity: high\n"
                                + "      services: [billing]\n");
        Map<String, String> env =
                Map.of(
                        "HOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                        "SENTINEL_WEBHOOK_URL", "http://127.0.0.1:9999/hook",
                        "SENTINEL_WEBHOOK_SECRET", "whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXkh");
        SentinelConfig c = SentinelConfig.load(f, Map.of(), env::get);

        assertThat(c.webhooks()).hasSize(2);
        assertThat(c.webhooks().get(0).name()).isEqualTo("ops");
        assertThat(c.webhooks().get(0).minSeverity())
                .isEqualTo(io.llmsentinel.functions.detect.Severity.HIGH);
        assertThat(c.webhooks().get(0).services()).containsExactly("billing");
        assertThat(c.webhooks().get(1).url()).isEqualTo("http://127.0.0.1:9999/hook");
        assertThat(c.describe().toString()).doesNotContain("MfKQ9r8").doesNotContain("dGhpcyBp");
    }

    @Test
    void badWebhooksAreNamed() throws Exception {
        Path f =
                write(
                        "sinks:\n  webhooks:\n    - name: ops\n      url: ftp://x\n      secrets: [whsec_AA==]\n");
        assertThatThrownBy(() -> SentinelConfig.load(f, Map.of(), n -> null))
                .hasMessageContaining("'sinks.webhooks[0]'")
                .hasMessageContaining("url");
        assertThatThrownBy(
                        () ->
                                SentinelConfig.load(
                                        null,
                                        Map.of(),
                                        n ->
                                                n.equals("SENTINEL_WEBHOOK_URL")
                                                        ? "http://127.0.0.1/h"
                                                        : null))
                .hasMessageContaining("SENTINEL_WEBHOOK_SECRET");
    }

    @Test
    void listsParseFromCommandLine() {
        assertThat(
                        load("keys.dimensions", "service;environment")
                                .get(SentinelOptions.KEY_DIMENSIONS))
                .isEqualTo(List.of("service", "environment"));
    }
}

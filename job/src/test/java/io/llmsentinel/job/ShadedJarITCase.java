package io.llmsentinel.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar that {@code flink run} gets (built in the package phase, before this integration
 * test) holds the job and its libraries, and nothing of the tooling: no generator, backtest, test
 * server or demo class, and no OpenTelemetry SDK. No shade filter keeps them out; they live in
 * devtools/, which the job depends on in test scope only.
 */
class ShadedJarITCase {

    static final Path JAR = Path.of("target/sentinel-job.jar");

    @Test
    void holdsTheJobAndNoTooling() throws Exception {
        List<String> entries = new ArrayList<>();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            jar.stream().forEach(e -> entries.add(e.getName()));
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(SentinelJob.class.getName());
        }
        assertThat(entries)
                .contains(
                        "io/llmsentinel/job/SentinelJob.class",
                        "io/llmsentinel/job/SentinelTopology.class",
                        "io/llmsentinel/functions/config/SentinelConfig.class",
                        "io/llmsentinel/functions/detect/MetricDetector.class",
                        "io/llmsentinel/sinks/rabbitmq/RabbitMqSink.class");
        assertThat(entries)
                .as("tooling classes in the job jar")
                .noneMatch(e -> e.startsWith("io/llmsentinel/devtools/"))
                .noneMatch(e -> e.contains("BareReadJob")) // a benchmark: devtools/bench
                .noneMatch(e -> e.startsWith("io/llmsentinel/testkit/"))
                .noneMatch(e -> e.startsWith("io/opentelemetry/sdk/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/test/"))
                .noneMatch(e -> e.startsWith("org/junit/"));
    }
}

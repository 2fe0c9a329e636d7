package io.llmsentinel.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.llmsentinel.functions.config.KafkaOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads every manifest in flink-k8s-operator/ with the operator's and Kubernetes' own models. */
class KubernetesManifestsTest {

    static final Path DIR = Path.of("../flink-k8s-operator");

    static <T> T read(String file, Class<T> type) throws Exception {
        try (InputStream in = Files.newInputStream(DIR.resolve(file))) {
            return Serialization.unmarshal(in, type);
        }
    }

    @Test
    void flinkDeploymentRunsTheJarWithSavepointUpgradesRocksDbAndKubernetesHa() throws Exception {
        FlinkDeployment d = read("flinkdeployment.yaml", FlinkDeployment.class);
        var spec = d.getSpec();
        Map<String, String> conf = spec.getFlinkConfiguration();

        assertThat(spec.getFlinkVersion()).isEqualTo(FlinkVersion.v1_20);
        assertThat(spec.getJob().getUpgradeMode()).isEqualTo(UpgradeMode.SAVEPOINT);
        assertThat(spec.getJob().getState()).isEqualTo(JobState.RUNNING);
        assertThat(spec.getJob().getJarURI())
                .isEqualTo("local:///opt/flink/usrlib/sentinel-job.jar");
        assertThat(spec.getJob().getEntryClass()).isEqualTo(SentinelJob.class.getName());
        assertThat(spec.getJob().getParallelism()).isEqualTo(2);
        assertThat(spec.getJob().getArgs())
                .containsExactly("--config", "/opt/sentinel/sentinel.yaml");
        assertThat(spec.getJob().getAllowNonRestoredState()).isFalse();
        assertThat(conf)
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.incremental", "true")
                .containsEntry("high-availability.type", "kubernetes")
                .containsEntry("pipeline.auto-generate-uids", "false")
                .containsEntry("pipeline.generic-types", "false")
                .containsKeys(
                        "execution.checkpointing.dir",
                        "execution.checkpointing.savepoint-dir",
                        "high-availability.storageDir",
                        "metrics.reporter.prom.factory.class");
        assertThat(conf.get("execution.checkpointing.dir")).startsWith("s3://");
        assertThat(conf.get("metrics.reporter.prom.port")).isEqualTo("9249");
        assertThat(spec.getJobManager().getResource().getMemory()).isNotBlank();
        assertThat(spec.getTaskManager().getResource().getMemory()).isNotBlank();
        // The config mount and the secrets reach the main container.
        var container = spec.getPodTemplate().getSpec().getContainers().get(0);
        assertThat(container.getName()).isEqualTo("flink-main-container");
        assertThat(container.getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/opt/sentinel"));
        assertThat(container.getEnvFrom())
                .anySatisfy(
                        e ->
                                assertThat(e.getSecretRef().getName())
                                        .isEqualTo("llm-sentinel-secrets"));
    }

    @Test
    void configMapHoldsAConfigurationTheJobAccepts(@TempDir Path tmp) throws Exception {
        ConfigMap cm = read("configmap.yaml", ConfigMap.class);
        Path yaml = tmp.resolve("sentinel.yaml");
        Files.writeString(yaml, cm.getData().get("sentinel.yaml"));

        SentinelConfig config =
                SentinelConfig.load(
                        yaml, Map.of(), name -> name.equals("SENTINEL_KAFKA_JAAS") ? "x" : null);

        assertThat(config.get(KafkaOptions.BOOTSTRAP_SERVERS)).isEqualTo("kafka.kafka.svc:9092");
        // the same keys as the shipped file: the copy for Kubernetes does not fall behind it
        SentinelConfig shipped =
                SentinelConfig.load(Path.of("../conf/sentinel.yaml"), Map.of(), name -> null);
        assertThat(keysWithoutKafkaProperties(config))
                .isEqualTo(keysWithoutKafkaProperties(shipped));
        assertThat(config.describe()).containsEntry("kafka.properties.sasl.jaas.config", "******");
        FlinkDeployment d = read("flinkdeployment.yaml", FlinkDeployment.class);
        assertThat(d.getSpec().getPodTemplate().getSpec().getVolumes())
                .anySatisfy(
                        v ->
                                assertThat(v.getConfigMap().getName())
                                        .isEqualTo(cm.getMetadata().getName()));
    }

    private static java.util.Set<String> keysWithoutKafkaProperties(SentinelConfig c) {
        java.util.Set<String> keys = new java.util.TreeSet<>(c.describe().keySet());
        keys.removeIf(k -> k.startsWith("kafka.properties."));
        return keys;
    }

    @Test
    void secretTemplateHoldsNoRealSecret() throws Exception {
        Secret s = read("secret.template.yaml", Secret.class);
        assertThat(s.getStringData()).isNotEmpty();
        assertThat(s.getStringData().values()).allSatisfy(v -> assertThat(v).contains("CHANGE_ME"));
    }

    @Test
    void queryApiHasADeploymentAndAServiceOnItsHttpPort() throws Exception {
        List<HasMetadata> items;
        try (InputStream in = Files.newInputStream(DIR.resolve("query-api.yaml"))) {
            items = Serialization.unmarshal(in);
        }
        Deployment deployment =
                (Deployment)
                        items.stream()
                                .filter(i -> i instanceof Deployment)
                                .findFirst()
                                .orElseThrow();
        Service service =
                (Service)
                        items.stream().filter(i -> i instanceof Service).findFirst().orElseThrow();
        var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getPorts().get(0).getContainerPort()).isEqualTo(8080);
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
        assertThat(service.getSpec().getSelector())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void kustomizationListsTheManifestsAndTheJobImagePutsTheJarWhereJarUriPoints()
            throws Exception {
        String kustomization = Files.readString(DIR.resolve("kustomization.yaml"));
        for (String f : List.of("configmap.yaml", "flinkdeployment.yaml", "query-api.yaml")) {
            assertThat(kustomization).contains("- " + f);
            assertThat(DIR.resolve(f)).exists();
        }
        assertThat(kustomization).doesNotContain("- secret.template.yaml");
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        assertThat(dockerfile)
                .contains("FROM flink:1.20-java17")
                .contains("/opt/flink/usrlib/sentinel-job.jar");
    }
}

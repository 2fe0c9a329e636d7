package io.llmsentinel.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the alerting rules query metrics the job really reports. The names are
 * those Flink's Prometheus reporter gives the job's metric groups (checked by scraping a running
 * cluster; see README): the operator group "sentinel" becomes
 * flink_taskmanager_job_task_operator_sentinel_*, key/value groups become labels.
 */
class MonitoringTest {

    static final List<String> JOB_METRICS =
            List.of(
                    "flink_taskmanager_job_task_operator_sentinel_messages",
                    "flink_taskmanager_job_task_operator_sentinel_llmSpans",
                    "flink_taskmanager_job_task_operator_sentinel_skippedSpans",
                    "flink_taskmanager_job_task_operator_sentinel_requestsEvaluated",
                    "flink_taskmanager_job_task_operator_sentinel_anomalies_detector_severity_count",
                    "flink_taskmanager_job_task_operator_sentinel_invalid_.+",
                    // The outputs' metrics, read off a running cluster with every output on.
                    "flink_taskmanager_job_task_operator_sentinel_webhooks_endpoint_deadLettered",
                    "flink_taskmanager_job_task_operator_sentinel_rabbitmq_sent",
                    "flink_taskmanager_job_task_operator_sentinel_rabbitmq_deadLettered",
                    "flink_taskmanager_job_task_operator_sentinel_rabbitmq_returned",
                    "flink_taskmanager_job_task_operator_sentinel_influxdb_.+_deadLettered",
                    "flink_taskmanager_job_task_operator_sentinel_influxdb_.+_delivered",
                    "flink_taskmanager_job_task_operator_sentinel_redis_.+_dropped",
                    "flink_taskmanager_job_task_operator_sentinel_.+_oldestPendingMs",
                    "flink_taskmanager_job_task_operator_sentinel_alerts_opened",
                    "flink_taskmanager_job_task_operator_sentinel_alerts_escalated",
                    "flink_taskmanager_job_task_operator_sentinel_alerts_resolved",
                    "flink_jobmanager_job_numRestarts",
                    "flink_jobmanager_job_uptime",
                    "flink_jobmanager_job_numberOfCompletedCheckpoints",
                    "flink_jobmanager_job_numberOfFailedCheckpoints",
                    "flink_jobmanager_job_lastCheckpointDuration",
                    "flink_jobmanager_job_lastCheckpointSize",
                    "flink_taskmanager_job_task_backPressuredTimeMsPerSecond");

    static final Pattern METRIC =
            Pattern.compile("flink_[A-Za-z_]+(?:\\.\\+[A-Za-z_]*(?:\\(dropped\\|failed\\))?)?");

    @Test
    void dashboardPanelsQueryKnownMetricsOfThisJob() throws Exception {
        JsonNode dash =
                new ObjectMapper()
                        .readTree(Path.of("../conf/grafana/llm-sentinel-dashboard.json").toFile());
        assertThat(dash.get("panels")).hasSizeGreaterThanOrEqualTo(6);
        List<String> used = new ArrayList<>();
        for (JsonNode panel : dash.get("panels")) {
            assertThat(panel.get("title").asText()).isNotBlank();
            for (JsonNode target : panel.get("targets")) {
                String expr = target.get("expr").asText();
                assertThat(expr).contains("job_name=\"LLM-Sentinel\"");
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    used.add(m.group());
                }
            }
        }
        assertThat(used).isNotEmpty().allSatisfy(name -> assertThat(JOB_METRICS).contains(name));
    }

    @Test
    void alertingRulesQueryKnownMetrics() throws Exception {
        // a label_replace capture group names the same metrics as a plain pattern
        String rules =
                Files.readString(Path.of("../conf/prometheus/llm-sentinel-rules.yaml"))
                        .replace("(.+)", ".+");
        Matcher m = METRIC.matcher(rules);
        int found = 0;
        while (m.find()) {
            assertThat(JOB_METRICS).contains(m.group());
            found++;
        }
        assertThat(found).isGreaterThan(5);
        for (String alert :
                List.of(
                        "LlmSentinelJobNotRunning",
                        "LlmSentinelRestarting",
                        "LlmSentinelCheckpointsFailing",
                        "LlmSentinelBackPressured",
                        "LlmSentinelDeadLettersGrowing",
                        "LlmSentinelAlertsNotDelivered",
                        "LlmSentinelAlertsUnroutable",
                        "LlmSentinelLiveViewDropping")) {
            assertThat(rules).contains("alert: " + alert);
        }
    }
}

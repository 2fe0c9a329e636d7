package io.llmsentinel.devtools.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmsentinel.devtools.generator.Incident;
import io.llmsentinel.devtools.generator.IncidentReport;
import io.llmsentinel.functions.read.ModelNaming;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An incident a run is scored against: its name and kind, the key it hit (a service, or every
 * service when null; a model of it, or every model when null), its event-time span {@code [start,
 * end)}, and the metrics it should move. Alerts and anomalies of its key from its start to {@link
 * IncidentReport#GRACE_MS} after its end belong to it.
 *
 * <p>An incident is <em>scored</em> only when detection watches every metric it should move: a
 * truncation incident says nothing about the alert policy while no truncation metric exists, and
 * starts counting, without a change here, once the metric is added to {@code detection.metrics}.
 */
public record IncidentWindow(
        String name,
        String kind,
        String service,
        String model,
        long startMs,
        long endMs,
        List<String> expectedMetrics) {

    /** The model of tool executions' keys ({@code LlmRequest#model}). */
    private static final String TOOL_KEY_MODEL = "-";

    public IncidentWindow {
        expectedMetrics = List.copyOf(expectedMetrics);
    }

    /**
     * A generated incident: it hits every model of its service (the generator applies it by
     * service). An LLM-specific kind expects its own share ({@link Incident.Type#signalMetric}), so
     * it is scored only while detection watches that share; for the other kinds, which move
     * latency, tokens, cost and errors together, every metric counts.
     */
    public static IncidentWindow of(Incident i) {
        String metric = i.type().signalMetric();
        return new IncidentWindow(
                i.type().code(),
                i.type().code(),
                i.service(),
                null,
                i.startMs(),
                i.endMs(),
                metric == null ? List.of() : List.of(metric));
    }

    /**
     * An incident of a corpus's {@code incidents.json} ({@code name}, {@code kind}, {@code
     * service}, {@code model}, {@code start_ms}, {@code end_ms}, {@code expected_metrics}), its
     * model named as keys name it ({@code keys.model-name}: {@code gpt-4o-2024-08-06} and {@code
     * gpt-4o} are one key by default).
     */
    static IncidentWindow ofCorpus(JsonNode n, ModelNaming naming) {
        List<String> metrics = new ArrayList<>();
        n.path("expected_metrics").forEach(m -> metrics.add(m.asText()));
        String model = text(n, "model");
        return new IncidentWindow(
                n.path("name").asText(n.path("kind").asText("incident")),
                n.path("kind").asText("unknown"),
                text(n, "service"),
                model == null ? null : naming.keyModel(model, null),
                n.get("start_ms").asLong(),
                n.get("end_ms").asLong(),
                metrics);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
    }

    /**
     * Whether a change of key ({@code service}, {@code model}) at {@code t} belongs to this
     * incident. Tool executions have a key of their own per service (model {@code -}): it belongs
     * to an incident that should move a tool metric.
     */
    public boolean covers(String service, String model, long t) {
        return (this.service == null || this.service.equals(service))
                && (this.model == null
                        || this.model.equals(model)
                        || (TOOL_KEY_MODEL.equals(model) && movesToolMetric()))
                && t >= startMs
                && t <= endMs + IncidentReport.GRACE_MS;
    }

    private boolean movesToolMetric() {
        return expectedMetrics.stream().anyMatch(m -> m.startsWith("tool_"));
    }

    /** The metrics this incident should move that detection does not watch (none: scored). */
    public List<String> unwatched(Set<String> watched) {
        return expectedMetrics.stream().filter(m -> !watched.contains(m)).toList();
    }

    /** The key it hit, for a report: {@code service}, {@code service/model}, or {@code *}. */
    public String keyLabel() {
        String s = service == null ? "*" : service;
        return model == null ? s : s + "/" + model;
    }
}

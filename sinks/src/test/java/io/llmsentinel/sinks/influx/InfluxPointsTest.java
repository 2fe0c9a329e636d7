package io.llmsentinel.sinks.influx;

import static org.assertj.core.api.Assertions.assertThat;

import com.influxdb.v3.client.Point;
import io.llmsentinel.functions.alert.AlertEvent;
import org.junit.jupiter.api.Test;

/** An alert point carries where a person goes next: exemplar traces, their links, the runbook. */
class InfluxPointsTest {
    static final String T1 = "0af7651916cd43dd8448eb211c80319c";
    static final String T2 = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String T3 = "5b8aa5a2d2c872e8321cf37308d69df2";
    static final String T4 = "6e0c63257de34c92bf9efcd03927272e";

    static AlertEvent alert() {
        AlertEvent e = new AlertEvent();
        e.alertId = "a1";
        e.state = AlertEvent.State.OPENED;
        e.eventTimeMs = 1_764_000_000_000L;
        e.openedAtMs = e.eventTimeMs;
        e.severity = "high";
        e.anomalyType = "latency_spike";
        e.service = "support-bot";
        e.model = "gpt-4o";
        e.metric = "latency_ms";
        return e;
    }

    /**
     * Two anomalies of one metric, severity and type in the same millisecond (found twice in one
     * OutputOutageITCase run) are two points, not one overwriting the other; the same anomaly
     * written again (a replay) is the same point.
     */
    @Test
    void anomaliesOfOneSeriesInOneMillisecondAreDistinctPointsAndAReplayIsTheSame() {
        io.llmsentinel.functions.anomaly.Anomaly a = anomaly("5d23f740cbee3d87ea9c0acbdcf059c5");
        io.llmsentinel.functions.anomaly.Anomaly b = anomaly("1bdda15d8394fab5be4c942bed61efc7");
        String la = InfluxPoints.anomaly("anomalies", a).toLineProtocol();
        String lb = InfluxPoints.anomaly("anomalies", b).toLineProtocol();
        String series = la.substring(0, la.indexOf(' '));
        assertThat(lb).startsWith(series + " ");
        long ta = Long.parseLong(la.substring(la.lastIndexOf(' ') + 1));
        long tb = Long.parseLong(lb.substring(lb.lastIndexOf(' ') + 1));
        assertThat(ta).isNotEqualTo(tb);
        assertThat(ta / 1_000_000L).isEqualTo(a.eventTimeMs);
        assertThat(tb / 1_000_000L).isEqualTo(b.eventTimeMs);
        assertThat(InfluxPoints.anomaly("anomalies", anomaly(a.anomalyId)).toLineProtocol())
                .isEqualTo(la);

        AlertEvent opened = alert();
        AlertEvent other = alert();
        other.alertId = "a2";
        assertThat(InfluxPoints.alert("alerts", opened).toLineProtocol())
                .isNotEqualTo(InfluxPoints.alert("alerts", other).toLineProtocol())
                .isEqualTo(InfluxPoints.alert("alerts", alert()).toLineProtocol());
    }

    static io.llmsentinel.functions.anomaly.Anomaly anomaly(String id) {
        io.llmsentinel.functions.anomaly.Anomaly a = new io.llmsentinel.functions.anomaly.Anomaly();
        a.anomalyId = id;
        a.eventTimeMs = 1_764_000_000_051L;
        a.detectedAtMs = 1_764_000_001_000L;
        a.service = "code-assistant";
        a.model = "claude-3-5-sonnet";
        a.metric = "ttft_ms";
        a.severity = "high";
        a.anomalyType = "ttft_spike";
        a.value = 1238.7;
        a.score = 0.57;
        return a;
    }

    @Test
    void anAlertPointCarriesItsExemplarsTheirLinksAndItsRunbook() {
        AlertEvent e = alert();
        e.exemplarTraceIds = new String[] {T1, T2, T3, T4};
        e.exemplarSpanIds = new String[] {"b7ad6b7169203331", null, "00f067aa0ba902b7", "x"};
        e.exemplarUrls =
                new String[] {
                    "https://grafana.example.com/explore?left={\"queries\":[{\"query\":\""
                            + T1
                            + "\"}],\"range\":{\"from\":\"now-1h\",\"to\":\"now\"}}",
                    null,
                    "https://jaeger.example.com/trace/" + T3,
                    "https://jaeger.example.com/trace/" + T4
                };
        e.runbookUrl = "https://runbooks.example.com/llm/latency";

        Point p = InfluxPoints.alert("alerts", e);

        // At most three, in order; a missing span id keeps its place.
        assertThat(p.getStringField("exemplar_trace_ids")).isEqualTo(T1 + "," + T2 + "," + T3);
        assertThat(p.getStringField("exemplar_span_ids"))
                .isEqualTo("b7ad6b7169203331,,00f067aa0ba902b7");
        // A link may hold commas: one field per exemplar, numbered as the exemplars are.
        assertThat(p.getStringField("exemplar_url_1")).isEqualTo(e.exemplarUrls[0]);
        assertThat(p.getField("exemplar_url_2")).isNull();
        assertThat(p.getStringField("exemplar_url_3")).isEqualTo(e.exemplarUrls[2]);
        assertThat(p.getFieldNames()).doesNotContain("exemplar_url_4");
        assertThat(p.getStringField("runbook_url"))
                .isEqualTo("https://runbooks.example.com/llm/latency");
        // Fields, not tags: ids must not multiply the series.
        assertThat(p.getTagNames()).doesNotContain("exemplar_trace_ids", "runbook_url");
        assertThat(p.toLineProtocol()).contains("exemplar_trace_ids=\"" + T1 + ",");
    }

    @Test
    void whatCannotBeStoredSafelyIsLeftOutAndNothingIsMadeUp() {
        AlertEvent none = alert();
        Point bare = InfluxPoints.alert("alerts", none);
        assertThat(bare.getFieldNames())
                .doesNotContain("exemplar_trace_ids", "exemplar_span_ids", "runbook_url")
                .noneMatch(f -> f.startsWith("exemplar_url_"));

        AlertEvent odd = alert();
        // An id with a comma would split in two when read back; an overlong one is no id.
        odd.exemplarTraceIds = new String[] {"a,b", "f".repeat(65), T2, ""};
        odd.exemplarSpanIds = new String[0];
        odd.exemplarUrls = new String[] {null, null, "https://x.example.com/" + "p".repeat(2100)};
        odd.runbookUrl = "https://runbooks.example.com/" + "r".repeat(2100);
        Point p = InfluxPoints.alert("alerts", odd);
        assertThat(p.getStringField("exemplar_trace_ids")).isEqualTo(T2);
        assertThat(p.getStringField("exemplar_span_ids")).isEmpty();
        assertThat(p.getFieldNames())
                .as("a cut link leads nowhere: left out")
                .doesNotContain("exemplar_url_1", "runbook_url");
    }
}

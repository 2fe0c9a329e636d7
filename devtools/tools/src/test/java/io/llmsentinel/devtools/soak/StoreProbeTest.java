package io.llmsentinel.devtools.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * An alert change read back from InfluxDB has the id the job's record gives it. InfluxDB 1.x
 * answers times as RFC 3339 strings; read as a number they were 0, and the first soak counted every
 * alert change in InfluxDB as missing.
 */
class StoreProbeTest {

    @Test
    void anAlertChangeReadFromInfluxDbHasTheIdOfTheJobsRecord() throws Exception {
        long eventTimeMs = 1_796_419_244_123L;
        String row = "[\"2026-12-04T21:20:44.123734211Z\", \"al-1\", \"opened\"]";

        String id = StoreProbe.alertChangeId(new ObjectMapper().readTree(row));

        assertThat(java.time.Instant.ofEpochMilli(eventTimeMs).toString())
                .isEqualTo("2026-12-04T21:20:44.123Z");
        assertThat(id).isEqualTo(StoreProbe.alertChangeId("al-1", "opened", eventTimeMs));
    }
}

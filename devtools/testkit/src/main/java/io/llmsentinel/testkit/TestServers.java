package io.llmsentinel.testkit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The real servers scripts/test.sh starts (scripts/services.sh): InfluxDB 1.x on 8086, Redis on
 * 6379, RabbitMQ on 5672. Tests fail, not skip, when they are not there.
 */
public final class TestServers {
    private TestServers() {}

    public static final String INFLUXDB = "http://127.0.0.1:8086";
    public static final String REDIS_HOST = "127.0.0.1";
    public static final int REDIS_PORT = 6379;

    /** Runs InfluxQL on InfluxDB 1.x's /query; returns the JSON answer. */
    public static JsonNode influxQuery(String db, String influxql) throws Exception {
        return InfluxV1.query(INFLUXDB, db, influxql);
    }
}

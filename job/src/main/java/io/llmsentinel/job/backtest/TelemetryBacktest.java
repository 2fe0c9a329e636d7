package io.llmsentinel.job.backtest;

import io.llmsentinel.job.config.SentinelConfig;
import java.io.PrintStream;
import java.util.Map;

/** Telemetry mode of the backtest; see {@link Backtest}. */
final class TelemetryBacktest {
    private TelemetryBacktest() {}

    static void run(SentinelConfig config, Map<String, String> args, PrintStream out) {
        throw new UnsupportedOperationException("telemetry mode comes next");
    }
}

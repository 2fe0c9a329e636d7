package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.llmsentinel.functions.alert.AlertPolicy;
import io.llmsentinel.functions.alert.AlertSettings;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.Severity;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.util.TimeUtils;

/**
 * {@code alerts.*}: the alert policy between anomalies and the outputs that interrupt people
 * ({@link AlertPolicy}). Storage and the anomaly topic get every anomaly whatever this says. Any of
 * the four settings can be given per metric: {@code alerts.metric.<metric>.anomalous|of|
 * immediate-severity|recovery-window}.
 */
public final class AlertOptions implements OptionGroup {
    public static final AlertOptions GROUP = new AlertOptions();

    public static final String PER_METRIC_PREFIX = "alerts.metric.";
    private static final String[] PER_METRIC = {
        "anomalous", "of", "immediate-severity", "recovery-window"
    };

    public static final ConfigOption<Integer> ANOMALOUS =
            key("alerts.anomalous")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Per-request metrics: an alert opens when this many of the metric's"
                                    + " last 'alerts.of' values were anomalous.");

    public static final ConfigOption<Integer> OF =
            key("alerts.of")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "Per-request metrics: the values looked back on (at most 32).");

    public static final ConfigOption<Integer> WINDOW_ANOMALOUS =
            key("alerts.window-anomalous")
                    .intType()
                    .defaultValue(2)
                    .withDescription(
                            "Windowed metrics (request_rate, error_rate, cost_per_minute): an"
                                    + " alert opens when this many of the last"
                                    + " 'alerts.window-of' windows were anomalous.");

    public static final ConfigOption<Integer> WINDOW_OF =
            key("alerts.window-of")
                    .intType()
                    .defaultValue(3)
                    .withDescription("Windowed metrics: the windows looked back on.");

    public static final ConfigOption<Severity> IMMEDIATE_SEVERITY =
            key("alerts.immediate-severity")
                    .enumType(Severity.class)
                    .defaultValue(Severity.CRITICAL)
                    .withDescription(
                            "One anomaly at least this severe opens an alert at once: LOW, MEDIUM,"
                                    + " HIGH or CRITICAL.");

    public static final ConfigOption<Duration> RECOVERY_WINDOW =
            key("alerts.recovery-window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription(
                            "Per-request metrics: an open alert resolves once the metric has had no"
                                    + " anomalous value for this much event time; a 'resolved'"
                                    + " event then goes to every alert output.");

    public static final ConfigOption<Duration> WINDOW_RECOVERY_WINDOW =
            key("alerts.window-recovery-window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(3))
                    .withDescription("Windowed metrics: the same, three one-minute windows.");

    private AlertOptions() {}

    @Override
    public boolean acceptsDynamicKey(String key) {
        if (!key.startsWith(PER_METRIC_PREFIX)) {
            return false;
        }
        for (Metric m : Metric.values()) {
            for (String suffix : PER_METRIC) {
                if (key.equals(PER_METRIC_PREFIX + m.code() + "." + suffix)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void validate(SentinelConfig c) {
        policy(c); // every metric's settings, so a bad value fails at start, by name
    }

    /** The policy with every metric's settings: per-metric keys, else the global ones. */
    public static AlertPolicy policy(SentinelConfig c) {
        Map<Metric, AlertSettings> out = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            out.put(m, settings(c, m));
        }
        return new AlertPolicy(out, settings(c, Metric.LATENCY_MS));
    }

    private static AlertSettings settings(SentinelConfig c, Metric m) {
        boolean win = !m.perRequest();
        String prefix = PER_METRIC_PREFIX + m.code() + ".";
        int anomalous = integer(c, prefix + "anomalous", c.get(win ? WINDOW_ANOMALOUS : ANOMALOUS));
        int of = integer(c, prefix + "of", c.get(win ? WINDOW_OF : OF));
        Severity immediate = c.get(IMMEDIATE_SEVERITY);
        String sev = c.raw(prefix + "immediate-severity");
        if (sev != null) {
            try {
                immediate = Severity.valueOf(sev.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(
                        "'" + prefix + "immediate-severity' must be low, medium, high or critical");
            }
        }
        Duration recovery = c.get(win ? WINDOW_RECOVERY_WINDOW : RECOVERY_WINDOW);
        String rec = c.raw(prefix + "recovery-window");
        if (rec != null) {
            try {
                recovery = TimeUtils.parseDuration(rec);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(
                        "'" + prefix + "recovery-window' must be a duration, not '" + rec + "'");
            }
        }
        try {
            return new AlertSettings(anomalous, of, immediate, recovery.toMillis());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "alert settings of metric '" + m.code() + "': " + e.getMessage());
        }
    }

    private static int integer(SentinelConfig c, String key, int fallback) {
        String v = c.raw(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("'" + key + "' must be a whole number, not '" + v + "'");
        }
    }
}

package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.llmsentinel.functions.alert.AlertLinks;
import io.llmsentinel.functions.alert.AlertPolicy;
import io.llmsentinel.functions.alert.AlertSettings;
import io.llmsentinel.functions.alert.QuietStart;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.Severity;
import io.llmsentinel.functions.incident.IncidentGrouping;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.util.TimeUtils;

/**
 * {@code alerts.*}: the alert policy between anomalies and the outputs that interrupt people
 * ({@link AlertPolicy}). Storage and the anomaly topic get every anomaly whatever this says. Any of
 * the settings below can be given per metric: {@code alerts.metric.<metric>.anomalous|of|min-span|
 * evidence-window|immediate-severity|recovery-window|min-severity}.
 *
 * <p>The defaults were chosen before the backtests that measure them (docs/detection.md), from what
 * real LLM traffic looks like: about one request in a thousand takes 20-100 times the median (a
 * retry, a queue, a cold connection), so one value of a per-request metric never pages anyone.
 */
public final class AlertOptions implements OptionGroup {
    public static final AlertOptions GROUP = new AlertOptions();

    public static final String PER_METRIC_PREFIX = "alerts.metric.";
    private static final String[] PER_METRIC = {
        "anomalous",
        "of",
        "min-span",
        "evidence-window",
        "immediate-severity",
        "recovery-window",
        "min-severity"
    };

    /** What the outputs that interrupt people (webhooks, RabbitMQ) are sent. */
    public enum Deliver {
        /** One notification per incident change (opened, updated, resolved). */
        INCIDENTS,
        /** One per alert change (opened, escalated, resolved), as before incidents. */
        ALERTS,
        /** Both, each on outputs of its own. */
        BOTH;

        public boolean incidents() {
            return this != ALERTS;
        }

        public boolean alerts() {
            return this != INCIDENTS;
        }
    }

    public static final ConfigOption<Deliver> DELIVER =
            key("alerts.deliver")
                    .enumType(Deliver.class)
                    .defaultValue(Deliver.INCIDENTS)
                    .withDescription(
                            "What webhooks and RabbitMQ get: incidents (one notification per"
                                    + " incident change: alerts of a service that open together"
                                    + " are one story), alerts (one per alert change, as before"
                                    + " incidents) or both. The anomaly topic, InfluxDB and the"
                                    + " console get every alert change whatever this says.");

    public static final ConfigOption<Integer> ANOMALOUS =
            key("alerts.anomalous")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Per-request metrics: an alert opens when this many of the metric's"
                                    + " last 'alerts.of' values were anomalous (and span"
                                    + " 'alerts.min-span').");

    public static final ConfigOption<Integer> OF =
            key("alerts.of")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "Per-request metrics: the values looked back on (at most 32).");

    public static final ConfigOption<Duration> MIN_SPAN =
            key("alerts.min-span")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "Per-request metrics: the anomalies that open an alert must span at"
                                    + " least this much event time: a burst of slow requests at"
                                    + " one instant (a retry storm, a cold connection) is not an"
                                    + " incident.");

    public static final ConfigOption<Duration> EVIDENCE_WINDOW =
            key("alerts.evidence-window")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "Per-request metrics: anomalies older than this (behind the newest)"
                                    + " no longer count as evidence.");

    public static final ConfigOption<String> IMMEDIATE_SEVERITY =
            key("alerts.immediate-severity")
                    .stringType()
                    .defaultValue("none")
                    .withDescription(
                            "Per-request metrics: one anomaly at least this severe opens an alert"
                                    + " at once: none (never: one request never pages anyone),"
                                    + " low, medium, high or critical.");

    public static final ConfigOption<String> MIN_EVIDENCE =
            key("alerts.min-severity")
                    .stringType()
                    .defaultValue("medium")
                    .withDescription(
                            "Per-request metrics: anomalies less severe than this (low, medium,"
                                    + " high, critical) are stored and streamed but are no"
                                    + " evidence for an alert: a low anomaly is within 1.5 times a"
                                    + " detector's threshold, the ordinary tail of heavy-tailed"
                                    + " traffic.");

    public static final ConfigOption<String> WINDOW_MIN_EVIDENCE =
            key("alerts.window-min-severity")
                    .stringType()
                    .defaultValue("low")
                    .withDescription(
                            "Windowed metrics: the same; every anomalous window counts by"
                                    + " default.");

    public static final ConfigOption<Duration> RECOVERY_WINDOW =
            key("alerts.recovery-window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription(
                            "Per-request metrics: an open alert resolves once the metric has had"
                                    + " no persistent anomalies for this much event time; a"
                                    + " 'resolved' event then goes to every alert output.");

    public static final ConfigOption<Integer> WINDOW_ANOMALOUS =
            key("alerts.window-anomalous")
                    .intType()
                    .defaultValue(2)
                    .withDescription(
                            "Windowed metrics (request_rate, error_rate, cost_per_minute...): an"
                                    + " alert opens when this many of the last"
                                    + " 'alerts.window-of' windows were anomalous.");

    public static final ConfigOption<Integer> WINDOW_OF =
            key("alerts.window-of")
                    .intType()
                    .defaultValue(3)
                    .withDescription("Windowed metrics: the windows looked back on.");

    public static final ConfigOption<String> WINDOW_IMMEDIATE_SEVERITY =
            key("alerts.window-immediate-severity")
                    .stringType()
                    .defaultValue("critical")
                    .withDescription(
                            "Windowed metrics: one window at least this severe opens an alert at"
                                    + " once (none, low, medium, high, critical): a window already"
                                    + " sums many requests.");

    public static final ConfigOption<Duration> WINDOW_RECOVERY_WINDOW =
            key("alerts.window-recovery-window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(3))
                    .withDescription("Windowed metrics: the same, three one-minute windows.");

    public static final ConfigOption<Integer> QUIET_START_SAMPLES =
            key("alerts.quiet-start.min-samples")
                    .intType()
                    .defaultValue(100)
                    .withDescription(
                            "Per-request metrics: a key's anomalies open no alert until its"
                                    + " baseline has learned this many values (windowed metrics"
                                    + " wait for 'detection.window-warmup' windows); they are"
                                    + " stored, marked warming_up.");

    public static final ConfigOption<Duration> QUIET_START_AGE =
            key("alerts.quiet-start.min-age")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "... and until the key has been seen for this much event time: a"
                                    + " young baseline has not yet seen the key's ordinary"
                                    + " variation.");

    public static final ConfigOption<List<String>> GROUP_BY =
            key("alerts.group-by")
                    .stringType()
                    .asList()
                    .defaultValues("service")
                    .withDescription(
                            "Alerts that open together become one incident per group: service"
                                    + " (always, with the environment), and model and/or provider"
                                    + " if named here.");

    public static final ConfigOption<Duration> GROUP_WAIT =
            key("alerts.group-wait")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "How long (wall clock) an incident waits after its first alert before"
                                    + " its opening notification, so alerts that open together are"
                                    + " listed in one.");

    public static final ConfigOption<Duration> GROUP_INTERVAL =
            key("alerts.group-interval")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "At most one incident.updated notification per incident in this"
                                    + " much time (a new alert joined, or the severity rose).");

    public static final ConfigOption<String> TRACE_URL_TEMPLATE =
            key("alerts.trace-url-template")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "A link to an exemplar request in your trace viewer, with {trace_id}"
                                    + " and {span_id}; e.g. a Grafana Tempo or Jaeger URL. Empty:"
                                    + " trace ids without links.");

    public static final String RUNBOOKS_PREFIX = "alerts.runbooks.";

    private AlertOptions() {}

    @Override
    public boolean acceptsDynamicKey(String key) {
        if (key.startsWith(RUNBOOKS_PREFIX) && key.length() > RUNBOOKS_PREFIX.length()) {
            return true; // alerts.runbooks.<anomaly type or metric>: a URL
        }
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
        c.requireAtLeast(QUIET_START_SAMPLES, 0);
        for (String g : c.get(GROUP_BY)) {
            if (!List.of("service", "model", "provider").contains(g)) {
                throw new ConfigException(
                        "'alerts.group-by' has '" + g + "'; known: service, model, provider");
            }
        }
        String template = c.get(TRACE_URL_TEMPLATE);
        if (!template.isBlank() && !template.contains("{trace_id}")) {
            throw new ConfigException(
                    "'alerts.trace-url-template' must contain {trace_id}, not '" + template + "'");
        }
    }

    /** Exemplar links and runbooks from the configuration. */
    public static AlertLinks links(SentinelConfig c) {
        Map<String, String> runbooks = new java.util.TreeMap<>();
        for (String k : c.rawKeys()) {
            if (k.startsWith(RUNBOOKS_PREFIX)) {
                runbooks.put(k.substring(RUNBOOKS_PREFIX.length()), c.raw(k));
            }
        }
        return new AlertLinks(c.get(TRACE_URL_TEMPLATE), runbooks);
    }

    /** The incident grouping from the configuration. */
    public static IncidentGrouping grouping(SentinelConfig c) {
        return new IncidentGrouping(
                c.get(GROUP_WAIT).toMillis(), c.get(GROUP_INTERVAL).toMillis(), links(c));
    }

    /** The policy with every metric's settings: per-metric keys, else the global ones. */
    public static AlertPolicy policy(SentinelConfig c) {
        Map<Metric, AlertSettings> out = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            out.put(m, settings(c, m));
        }
        return new AlertPolicy(out, settings(c, Metric.LATENCY_MS));
    }

    /** A young baseline: what marks an anomaly {@code warming_up}. */
    public static QuietStart quietStart(SentinelConfig c) {
        return new QuietStart(c.get(QUIET_START_SAMPLES), c.get(QUIET_START_AGE).toMillis());
    }

    private static AlertSettings settings(SentinelConfig c, Metric m) {
        boolean win = !m.perRequest();
        String prefix = PER_METRIC_PREFIX + m.code() + ".";
        int anomalous = integer(c, prefix + "anomalous", c.get(win ? WINDOW_ANOMALOUS : ANOMALOUS));
        int of = integer(c, prefix + "of", c.get(win ? WINDOW_OF : OF));
        long minSpan = duration(c, prefix + "min-span", win ? Duration.ZERO : c.get(MIN_SPAN));
        long evidence =
                duration(
                        c,
                        prefix + "evidence-window",
                        win ? Duration.ofMinutes(of + 2L) : c.get(EVIDENCE_WINDOW));
        String sev = c.raw(prefix + "immediate-severity");
        String immediateKey = sev != null ? prefix + "immediate-severity" : null;
        if (sev == null) {
            sev = c.get(win ? WINDOW_IMMEDIATE_SEVERITY : IMMEDIATE_SEVERITY);
            immediateKey = (win ? WINDOW_IMMEDIATE_SEVERITY : IMMEDIATE_SEVERITY).key();
        }
        Severity immediate = immediate(sev, immediateKey);
        long recovery =
                duration(
                        c,
                        prefix + "recovery-window",
                        c.get(win ? WINDOW_RECOVERY_WINDOW : RECOVERY_WINDOW));
        String minSev = c.raw(prefix + "min-severity");
        String minKey = minSev != null ? prefix + "min-severity" : null;
        if (minSev == null) {
            minSev = c.get(win ? WINDOW_MIN_EVIDENCE : MIN_EVIDENCE);
            minKey = (win ? WINDOW_MIN_EVIDENCE : MIN_EVIDENCE).key();
        }
        Severity minEvidence = immediate(minSev, minKey);
        if (minEvidence == null) {
            throw new ConfigException("'" + minKey + "' must be low, medium, high or critical");
        }
        try {
            return new AlertSettings(
                    anomalous, of, minSpan, evidence, immediate, recovery, minEvidence);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "alert settings of metric '" + m.code() + "': " + e.getMessage());
        }
    }

    private static Severity immediate(String v, String key) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.equals("none")) {
            return null;
        }
        try {
            return Severity.parse(s);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "'" + key + "' must be none, low, medium, high or critical, not '" + v + "'");
        }
    }

    private static long duration(SentinelConfig c, String key, Duration fallback) {
        String v = c.raw(key);
        if (v == null) {
            return fallback.toMillis();
        }
        try {
            return TimeUtils.parseDuration(v).toMillis();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("'" + key + "' must be a duration, not '" + v + "'");
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

package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.detect.DetectorKind;
import io.llmsentinel.functions.detect.Direction;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.MetricSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;

/**
 * {@code detection.*}: the watched metrics, the four detectors' settings, the baselines' horizon
 * and the windowed metrics. Any per-detector setting can be given per metric under {@code
 * detection.metric.<metric>.<setting>} (see {@link PerMetric}); unset ones fall back to the global
 * value, and the sensitivity preset scales every threshold.
 */
public final class DetectionOptions implements OptionGroup {
    public static final DetectionOptions GROUP = new DetectionOptions();

    public static final String PER_METRIC_PREFIX = "detection.metric.";

    public static final ConfigOption<List<String>> METRICS =
            key("detection.metrics")
                    .stringType()
                    .asList()
                    .defaultValues(
                            "latency_ms",
                            "ttft_ms",
                            "input_tokens",
                            "output_tokens",
                            "total_tokens",
                            "cost_usd",
                            "output_tokens_per_second",
                            "request_rate",
                            "error_rate",
                            "cost_per_minute",
                            "token_rate",
                            "latency_p95",
                            "truncation_rate",
                            "content_filter_rate",
                            "rate_limited_rate",
                            "tool_error_rate",
                            "cache_hit_ratio")
                    .withDescription(
                            "Metrics to watch. Per request: latency_ms, ttft_ms, input_tokens,"
                                    + " output_tokens, total_tokens, cost_usd,"
                                    + " output_tokens_per_second. Per event-time window:"
                                    + " request_rate, error_rate, cost_per_minute, token_rate"
                                    + " (spans, events or OTLP metrics), latency_p95 (OTLP"
                                    + " duration histograms), and the LLM-specific shares"
                                    + " truncation_rate, content_filter_rate, rate_limited_rate,"
                                    + " tool_error_rate, cache_hit_ratio (docs/detection.md says"
                                    + " which attribute each comes from).");

    public static final ConfigOption<Sensitivity> SENSITIVITY =
            key("detection.sensitivity")
                    .enumType(Sensitivity.class)
                    .defaultValue(Sensitivity.MEDIUM)
                    .withDescription(
                            "A preset on top of every threshold: LOW multiplies them by 1.25"
                                    + " (fewer alerts), MEDIUM by 1, HIGH by 0.8 (more alerts).");

    public static final ConfigOption<List<String>> DETECTORS =
            key("detection.detectors")
                    .stringType()
                    .asList()
                    .defaultValues("zscore", "iqr", "mad", "cusum")
                    .withDescription("Detectors run on every metric: zscore, iqr, mad, cusum.");

    public static final ConfigOption<Double> ZSCORE_THRESHOLD =
            key("detection.zscore.threshold")
                    .doubleType()
                    .defaultValue(3.0)
                    .withDescription("Z-Score: standardized distance that counts as anomalous.");

    public static final ConfigOption<Double> IQR_K =
            key("detection.iqr.k")
                    .doubleType()
                    .defaultValue(1.5)
                    .withDescription("IQR: anomalous outside [Q1 - k*IQR, Q3 + k*IQR].");

    public static final ConfigOption<Double> MAD_THRESHOLD =
            key("detection.mad.threshold")
                    .doubleType()
                    .defaultValue(3.5)
                    .withDescription("MAD: modified z-score 0.6745*|x - median|/MAD that counts.");

    public static final ConfigOption<Double> CUSUM_SLACK =
            key("detection.cusum.slack")
                    .doubleType()
                    .defaultValue(0.5)
                    .withDescription("CUSUM: slack k in standard deviations.");

    public static final ConfigOption<Double> CUSUM_DECISION =
            key("detection.cusum.decision")
                    .doubleType()
                    .defaultValue(5.0)
                    .withDescription("CUSUM: decision interval h in standard deviations.");

    public static final ConfigOption<Integer> WARMUP =
            key("detection.warmup")
                    .intType()
                    .defaultValue(30)
                    .withDescription("Samples a baseline needs before it judges anything.");

    public static final ConfigOption<Integer> WINDOW_WARMUP =
            key("detection.window-warmup")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "Windows a windowed metric (request_rate, error_rate, cost_per_minute)"
                                    + " needs before it judges: with one-minute windows, 10"
                                    + " minutes.");

    public static final ConfigOption<Integer> WINDOW =
            key("detection.window")
                    .intType()
                    .defaultValue(1500)
                    .withDescription(
                            "Horizon of a baseline in samples: older values fade out, so the"
                                    + " baseline follows the series.");

    public static final ConfigOption<Double> SPREAD_FLOOR_RELATIVE =
            key("detection.spread-floor-relative")
                    .doubleType()
                    .defaultValue(0.05)
                    .withDescription(
                            "The spread a detector divides by is at least this fraction of the"
                                    + " baseline's level (and at least the metric's unit), so a"
                                    + " flat series neither floods nor silences it.");

    public static final ConfigOption<Integer> REPEAT_WINDOW =
            key("detection.score-repeat-window")
                    .intType()
                    .defaultValue(600)
                    .withDescription(
                            "Samples over which a combined score must beat the strongest recent"
                                    + " one to count in full; a value no more unusual than one"
                                    + " already seen scores half. 0 turns this off. Decisions"
                                    + " (which detectors fired) are not affected.");

    public static final ConfigOption<Boolean> SURPRISE_RATE =
            key("detection.surprise-rate")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Also judge the windowed metrics on how often their detectors fire"
                                    + " against how often they usually do (more anomalies than"
                                    + " usual is an anomaly); 24 bytes of state per metric. Off:"
                                    + " it cost NAB points (docs/detection.md). Per-request"
                                    + " metrics only with detection.metric.<m>.surprise-rate.");

    public static final ConfigOption<Boolean> CLIP_ANOMALIES =
            key("detection.clip-anomalies")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Anomalous values join the baseline clipped to the threshold, so a"
                                    + " spike does not drag it; false lets them in unchanged.");

    public static final ConfigOption<Duration> WINDOW_SIZE =
            key("detection.window-size")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "Event-time window of request_rate, error_rate and cost_per_minute.");

    public static final ConfigOption<Integer> ERROR_RATE_MIN_REQUESTS =
            key("detection.error-rate-min-requests")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "error_rate is judged only in windows with this many requests.");

    public static final ConfigOption<Integer> EMPTY_WINDOWS =
            key("detection.empty-windows")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "After a key's last request, this many empty windows are judged"
                                    + " (request rate zero), then the key goes quiet.");

    public static final ConfigOption<Duration> STATE_TTL =
            key("detection.state-ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(7))
                    .withDescription(
                            "A key with no request for this long is forgotten (state TTL).");

    /** A preset on top of every threshold. */
    public enum Sensitivity {
        LOW(1.25),
        MEDIUM(1.0),
        HIGH(0.8);

        public final double thresholdFactor;

        Sensitivity(double thresholdFactor) {
            this.thresholdFactor = thresholdFactor;
        }
    }

    /** Settings that can be given per metric: {@code detection.metric.<metric>.<suffix>}. */
    public enum PerMetric {
        DIRECTION("direction", "up, down or both: which side of the baseline is anomalous"),
        DETECTORS("detectors", "detectors for this metric"),
        WARMUP("warmup", "warm-up samples"),
        WINDOW("window", "baseline horizon in samples"),
        ZSCORE_THRESHOLD("zscore.threshold", "Z-Score threshold"),
        IQR_K("iqr.k", "IQR k"),
        MAD_THRESHOLD("mad.threshold", "MAD threshold"),
        CUSUM_SLACK("cusum.slack", "CUSUM slack"),
        CUSUM_DECISION("cusum.decision", "CUSUM decision interval"),
        LOG_SCALE("log-scale", "judge ln(1 + x/unit) instead of x"),
        SEASONAL("seasonal", "judge against the time of day's usual level (true|false)"),
        SURPRISE_RATE("surprise-rate", "judge how often the point detectors fire (true|false)"),
        CUSUM_RELEVEL(
                "cusum.relevel",
                "when CUSUM fires, move the baseline to the new level at once, and back when the"
                        + " series returns (true|false)");

        public final String suffix;
        public final String description;

        PerMetric(String suffix, String description) {
            this.suffix = suffix;
            this.description = description;
        }

        public String key(String metric) {
            return PER_METRIC_PREFIX + metric + "." + suffix;
        }
    }

    private DetectionOptions() {}

    @Override
    public boolean acceptsDynamicKey(String key) {
        if (!key.startsWith(PER_METRIC_PREFIX)) {
            return false;
        }
        for (Metric m : Metric.values()) {
            for (PerMetric p : PerMetric.values()) {
                if (key.equals(p.key(m.code()))) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void validate(SentinelConfig c) {
        c.requireAtLeast(WARMUP, 4);
        c.requireAtLeast(WINDOW_WARMUP, 4);
        c.requireAtLeast(WINDOW, 2);
        c.requireAtLeast(ERROR_RATE_MIN_REQUESTS, 1);
        c.requireAtLeast(EMPTY_WINDOWS, 0);
        for (ConfigOption<Double> o :
                List.of(ZSCORE_THRESHOLD, IQR_K, MAD_THRESHOLD, CUSUM_DECISION)) {
            if (!(c.get(o) > 0)) {
                throw new ConfigException("'" + o.key() + "' must be > 0");
            }
        }
        if (!(c.get(CUSUM_SLACK) >= 0)) {
            throw new ConfigException("'detection.cusum.slack' must be >= 0");
        }
        if (c.get(WINDOW_SIZE).toMillis() < 1000) {
            throw new ConfigException("'detection.window-size' must be at least 1 s");
        }
        for (String d : c.get(DETECTORS)) {
            try {
                DetectorKind.fromCode(d);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("'detection.detectors': " + e.getMessage());
            }
        }
        double floor = c.get(SPREAD_FLOOR_RELATIVE);
        if (!(floor >= 0 && floor < 1)) {
            throw new ConfigException("'detection.spread-floor-relative' must be in [0, 1)");
        }
        if (c.get(STATE_TTL).isNegative()) {
            throw new ConfigException("'detection.state-ttl' must not be negative");
        }
        try {
            if (metrics(c).isEmpty()) {
                throw new ConfigException("'detection.metrics' must name at least one metric");
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException("'detection.metrics': " + e.getMessage());
        }
        // Builds every metric's settings once, so a bad per-metric value fails here, by name.
        settings(c);
    }

    /** The watched metrics, in the order configured, without repeats. */
    public static List<Metric> metrics(SentinelConfig c) {
        List<Metric> out = new ArrayList<>();
        for (String m : c.get(METRICS)) {
            Metric metric = Metric.fromCode(m);
            if (!out.contains(metric)) {
                out.add(metric);
            }
        }
        return out;
    }

    /**
     * Every watched metric's settings: per-metric keys, else the global ones; then the preset. The
     * live baseline goes to Redis every {@code baselineEvery} values (0 when Redis is off).
     */
    public static DetectionSettings settings(SentinelConfig c) {
        double factor = c.get(SENSITIVITY).thresholdFactor;
        Map<Metric, MetricSettings> out = new EnumMap<>(Metric.class);
        for (Metric m : metrics(c)) {
            out.put(
                    m,
                    settingsFor(
                            c,
                            m.code(),
                            m.defaultDirection(),
                            m.defaultLogScale(),
                            m.unit(),
                            m.defaultSeasonal(),
                            !m.perRequest() && c.get(SURPRISE_RATE),
                            m.perRequest() ? c.get(WARMUP) : c.get(WINDOW_WARMUP),
                            factor));
        }
        return new DetectionSettings(
                out,
                c.get(WINDOW_SIZE).toMillis(),
                c.get(ERROR_RATE_MIN_REQUESTS),
                c.get(EMPTY_WINDOWS),
                c.get(STATE_TTL).toMillis(),
                c.get(RedisOptions.ENABLED) ? c.get(RedisOptions.BASELINE_EVERY) : 0);
    }

    /**
     * The detection settings for a series that is not one of the job's metrics (backtests): the
     * global detection.* values and the sensitivity preset, on a linear scale, with a daily cycle
     * where the series shows one.
     */
    public static MetricSettings seriesSettings(SentinelConfig c, Direction direction) {
        return settingsFor(
                c,
                null,
                direction,
                false,
                1e-9,
                true,
                c.get(SURPRISE_RATE),
                c.get(WARMUP),
                c.get(SENSITIVITY).thresholdFactor);
    }

    private static MetricSettings settingsFor(
            SentinelConfig c,
            String metric,
            Direction defaultDirection,
            boolean defaultLog,
            double unit,
            boolean defaultSeasonal,
            boolean defaultSurprise,
            int defaultWarmup,
            double factor) {
        Set<DetectorKind> detectors = EnumSet.noneOf(DetectorKind.class);
        String perDetectors = perMetric(c, metric, PerMetric.DETECTORS);
        for (String d :
                perDetectors != null ? List.of(perDetectors.split("[;,]")) : c.get(DETECTORS)) {
            if (d.isBlank()) {
                continue;
            }
            try {
                detectors.add(DetectorKind.fromCode(d));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(
                        "'" + PerMetric.DETECTORS.key(metric) + "': " + e.getMessage());
            }
        }
        String dir = perMetric(c, metric, PerMetric.DIRECTION);
        Direction direction;
        try {
            direction =
                    dir == null
                            ? defaultDirection
                            : Direction.valueOf(dir.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "'"
                            + PerMetric.DIRECTION.key(metric)
                            + "' must be up, down or both, not '"
                            + dir
                            + "'");
        }
        boolean logScale = flag(c, metric, PerMetric.LOG_SCALE, defaultLog);
        boolean seasonal = flag(c, metric, PerMetric.SEASONAL, defaultSeasonal);
        boolean surprise = flag(c, metric, PerMetric.SURPRISE_RATE, defaultSurprise);
        boolean relevel = flag(c, metric, PerMetric.CUSUM_RELEVEL, true);
        try {
            return new MetricSettings(
                            direction,
                            detectors,
                            (int) number(c, metric, PerMetric.WARMUP, defaultWarmup),
                            (int) number(c, metric, PerMetric.WINDOW, c.get(WINDOW)),
                            number(c, metric, PerMetric.ZSCORE_THRESHOLD, c.get(ZSCORE_THRESHOLD)),
                            number(c, metric, PerMetric.IQR_K, c.get(IQR_K)),
                            number(c, metric, PerMetric.MAD_THRESHOLD, c.get(MAD_THRESHOLD)),
                            number(c, metric, PerMetric.CUSUM_SLACK, c.get(CUSUM_SLACK)),
                            number(c, metric, PerMetric.CUSUM_DECISION, c.get(CUSUM_DECISION)),
                            c.get(SPREAD_FLOOR_RELATIVE),
                            logScale,
                            unit,
                            c.get(CLIP_ANOMALIES),
                            c.get(REPEAT_WINDOW),
                            seasonal,
                            surprise,
                            relevel)
                    .scaled(factor);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "detection settings"
                            + (metric == null ? "" : " of metric '" + metric + "'")
                            + ": "
                            + e.getMessage());
        }
    }

    private static boolean flag(SentinelConfig c, String metric, PerMetric p, boolean fallback) {
        String v = perMetric(c, metric, p);
        if (v == null) {
            return fallback;
        }
        if (!v.trim().equalsIgnoreCase("true") && !v.trim().equalsIgnoreCase("false")) {
            throw new ConfigException(
                    "'" + p.key(metric) + "' must be true or false, not '" + v + "'");
        }
        return Boolean.parseBoolean(v.trim());
    }

    private static String perMetric(SentinelConfig c, String metric, PerMetric p) {
        return metric == null ? null : c.raw(p.key(metric));
    }

    private static double number(SentinelConfig c, String m, PerMetric p, double fallback) {
        String v = perMetric(c, m, p);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("'" + p.key(m) + "' must be a number, not '" + v + "'");
        }
    }
}

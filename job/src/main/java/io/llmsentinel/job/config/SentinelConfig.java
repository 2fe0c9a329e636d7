package io.llmsentinel.job.config;

import static io.llmsentinel.job.config.SentinelOptions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.llmsentinel.functions.detect.DetectionSettings;
import io.llmsentinel.functions.detect.DetectorKind;
import io.llmsentinel.functions.detect.Direction;
import io.llmsentinel.functions.detect.Metric;
import io.llmsentinel.functions.detect.MetricSettings;
import io.llmsentinel.functions.detect.Severity;
import io.llmsentinel.functions.read.PriceTable;
import io.llmsentinel.job.config.SentinelOptions.PerMetric;
import io.llmsentinel.sinks.influx.InfluxSettings;
import io.llmsentinel.sinks.rabbitmq.RabbitMqSettings;
import io.llmsentinel.sinks.redis.RedisSettings;
import io.llmsentinel.sinks.webhook.WebhookEndpoint;
import io.llmsentinel.sinks.webhook.WebhookSigner;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.connectors.rabbitmq.common.RMQConnectionConfig;

/**
 * The resolved, validated configuration of the job: {@code sentinel.yaml}, then command-line
 * overrides ({@code --key value}), then {@code ${env:NAME}} references resolved from the
 * environment (the only place secrets come from). Every problem is reported with the key it
 * concerns.
 */
public final class SentinelConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Pattern ENV_REF = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Set<String> DIMENSIONS =
            Set.of("service", "model", "provider", "operation", "environment", "namespace");
    private static final String MASK = "******";

    private final Configuration options;
    private final Map<String, String> kafkaProperties;
    private final Map<String, PriceTable.Price> prices;
    private final Set<String> secretKeys;
    private final List<WebhookEndpoint> webhooks;

    private SentinelConfig(
            Configuration options,
            Map<String, String> kafkaProperties,
            Map<String, PriceTable.Price> prices,
            Set<String> secretKeys,
            List<WebhookEndpoint> webhooks) {
        this.options = options;
        this.kafkaProperties = kafkaProperties;
        this.prices = prices;
        this.secretKeys = secretKeys;
        this.webhooks = webhooks;
    }

    /**
     * The webhook endpoints: those of {@code sinks.webhooks} in the file, plus one from the
     * environment when SENTINEL_WEBHOOK_URL and SENTINEL_WEBHOOK_SECRET are set.
     */
    public List<WebhookEndpoint> webhooks() {
        return webhooks;
    }

    /** Loads {@code file} (or only defaults when null), applies overrides and validates. */
    public static SentinelConfig load(
            Path file, Map<String, String> overrides, UnaryOperator<String> env) {
        Map<String, String> flat = new LinkedHashMap<>();
        Map<String, PriceTable.Price> prices = new TreeMap<>();
        JsonNode webhookNodes = null;
        if (file != null) {
            JsonNode root;
            try {
                root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
            } catch (IOException e) {
                throw new ConfigException(
                        "cannot read configuration " + file + ": " + e.getMessage());
            }
            if (root != null && !root.isMissingNode() && !root.isNull()) {
                if (!root.isObject()) {
                    throw new ConfigException(file + ": the top level must be a mapping of keys");
                }
                JsonNode sinks = root.get("sinks");
                if (sinks != null && sinks.isObject() && sinks.has("webhooks")) {
                    webhookNodes = sinks.get("webhooks");
                    ((com.fasterxml.jackson.databind.node.ObjectNode) sinks).remove("webhooks");
                }
                flatten("", root, flat, prices);
            }
        }
        flat.putAll(overrides);
        return fromFlat(flat, prices, env, webhooks(webhookNodes, env));
    }

    public static SentinelConfig defaults() {
        return fromFlat(Map.of(), Map.of(), name -> null, List.of());
    }

    /** {@code sinks.rabbitmq.*}: the connection, in the connector's own configuration type. */
    public RMQConnectionConfig rabbitMqConnection() {
        return new RMQConnectionConfig.Builder()
                .setHost(get(RABBITMQ_HOST))
                .setPort(get(RABBITMQ_PORT))
                .setVirtualHost(get(RABBITMQ_VHOST))
                .setUserName(get(RABBITMQ_USERNAME))
                .setPassword(get(RABBITMQ_PASSWORD))
                .setConnectionTimeout(5000)
                .build();
    }

    public RabbitMqSettings rabbitMq() {
        try {
            return new RabbitMqSettings(
                    get(RABBITMQ_EXCHANGE),
                    get(RABBITMQ_ROUTING_KEY_PREFIX),
                    get(RABBITMQ_MAX_OUTSTANDING),
                    get(RABBITMQ_FLUSH_TIMEOUT).toMillis(),
                    500);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("sinks.rabbitmq: " + e.getMessage());
        }
    }

    public InfluxSettings influxDb() {
        try {
            return new InfluxSettings(
                    get(INFLUXDB_HOST),
                    get(INFLUXDB_DATABASE),
                    get(INFLUXDB_TOKEN_ENV),
                    get(INFLUXDB_BATCH_SIZE),
                    get(INFLUXDB_FLUSH_INTERVAL).toMillis(),
                    get(INFLUXDB_MAX_ATTEMPTS),
                    500,
                    4);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("sinks.influxdb: " + e.getMessage());
        }
    }

    public RedisSettings redis() {
        try {
            return new RedisSettings(
                    get(REDIS_HOST),
                    get(REDIS_PORT),
                    get(REDIS_PASSWORD_ENV),
                    get(REDIS_TTL).toSeconds(),
                    get(REDIS_RECENT_ANOMALIES),
                    10_000,
                    2000);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("sinks.redis: " + e.getMessage());
        }
    }

    /** {@code sinks.webhooks}: a list of {name, url, secrets, min-severity, services, ...}. */
    private static List<WebhookEndpoint> webhooks(JsonNode nodes, UnaryOperator<String> env) {
        List<WebhookEndpoint> out = new ArrayList<>();
        if (nodes != null && !nodes.isNull()) {
            if (!nodes.isArray()) {
                throw new ConfigException("'sinks.webhooks' must be a list of endpoints");
            }
            int i = 0;
            for (JsonNode n : nodes) {
                String where = "'sinks.webhooks[" + i++ + "]'";
                try {
                    List<String> secrets = new ArrayList<>();
                    n.path("secrets")
                            .forEach(
                                    x ->
                                            secrets.add(
                                                    resolveEnv(
                                                            where + ".secrets", x.asText(), env)));
                    Set<String> services = new TreeSet<>();
                    n.path("services").forEach(x -> services.add(x.asText()));
                    out.add(
                            new WebhookEndpoint(
                                    n.path("name").asText("webhook-" + i),
                                    resolveEnv(where + ".url", n.path("url").asText(""), env),
                                    secrets,
                                    Severity.parse(n.path("min-severity").asText("low")),
                                    services,
                                    n.path("timeout-ms").asLong(5_000),
                                    n.path("max-in-flight").asInt(16),
                                    n.path("max-attempts").asInt(6),
                                    n.path("initial-backoff-ms").asLong(500)));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(where + ": " + e.getMessage());
                }
            }
        }
        String url = env.apply("SENTINEL_WEBHOOK_URL");
        String secret = env.apply("SENTINEL_WEBHOOK_SECRET");
        if (url != null && !url.isBlank()) {
            if (secret == null || secret.isBlank()) {
                throw new ConfigException(
                        "SENTINEL_WEBHOOK_URL is set but SENTINEL_WEBHOOK_SECRET (whsec_...) is not");
            }
            try {
                out.add(WebhookEndpoint.of("env", url, List.of(secret)));
                new WebhookSigner(List.of(secret));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("SENTINEL_WEBHOOK_URL/SECRET: " + e.getMessage());
            }
        }
        return out;
    }

    private static SentinelConfig fromFlat(
            Map<String, String> flat,
            Map<String, PriceTable.Price> prices,
            UnaryOperator<String> env,
            List<WebhookEndpoint> webhooks) {
        Set<String> known = new TreeSet<>();
        for (ConfigOption<?> o : ALL) {
            known.add(o.key());
        }
        for (ConfigOption<?> o : perMetricOptions()) {
            known.add(o.key());
        }
        Configuration options = new Configuration();
        Map<String, String> kafkaProperties = new TreeMap<>();
        Set<String> secretKeys = new TreeSet<>();
        Map<String, PriceTable.Price> allPrices = new TreeMap<>(prices);
        for (Map.Entry<String, String> e : flat.entrySet()) {
            String key = e.getKey();
            String raw = e.getValue();
            String value = resolveEnv(key, raw, env);
            if (!value.equals(raw) || looksSecret(key)) {
                secretKeys.add(key);
            }
            if (key.startsWith(KAFKA_PROPERTIES_PREFIX)) {
                kafkaProperties.put(key.substring(KAFKA_PROPERTIES_PREFIX.length()), value);
            } else if (key.startsWith(QUERY_API_PREFIX)) {
                continue; // the side service's own section (query-api/); not the job's
            } else if (key.startsWith(PRICING_PREFIX + ".")) {
                overridePrice(allPrices, key, value);
            } else if (known.contains(key)) {
                options.setString(key, value);
            } else {
                throw new ConfigException(
                        "unknown configuration key '" + key + "'" + hint(key, known));
            }
        }
        SentinelConfig config =
                new SentinelConfig(options, kafkaProperties, allPrices, secretKeys, webhooks);
        config.validate();
        return config;
    }

    private void validate() {
        for (ConfigOption<?> o : ALL) {
            try {
                options.get(o);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(
                        "invalid value '"
                                + options.toMap().get(o.key())
                                + "' for '"
                                + o.key()
                                + "': "
                                + rootMessage(e));
            }
        }
        requireNonBlank(KAFKA_BOOTSTRAP_SERVERS);
        requireNonBlank(KAFKA_GROUP_ID);
        requireNonBlank(OTLP_TRACES_TOPIC);
        requireNonBlank(NATIVE_EVENTS_TOPIC);
        requireNonBlank(KAFKA_ANOMALIES_TOPIC);
        requireNonBlank(DEAD_LETTER_TOPIC);
        if (!get(OTLP_TRACES_ENABLED) && !get(NATIVE_EVENTS_ENABLED)) {
            throw new ConfigException(
                    "no input enabled: set 'inputs.otlp-traces.enabled' or"
                            + " 'inputs.native-events.enabled' to true");
        }
        int parallelism = get(JOB_PARALLELISM);
        if (parallelism == 0 || parallelism < -1) {
            throw new ConfigException(
                    "'job.parallelism' must be -1 or at least 1, not " + parallelism);
        }
        requireAtLeast(MAX_MESSAGE_BYTES, 1024);
        requireAtLeast(MAX_TEXT_CHARS, 0);
        requireAtLeast(WARMUP, 4);
        requireAtLeast(WINDOW_WARMUP, 4);
        requireAtLeast(WINDOW, 2);
        requireAtLeast(ERROR_RATE_MIN_REQUESTS, 1);
        requireAtLeast(EMPTY_WINDOWS, 0);
        for (ConfigOption<Double> o :
                List.of(ZSCORE_THRESHOLD, IQR_K, MAD_THRESHOLD, CUSUM_DECISION)) {
            if (!(get(o) > 0)) {
                throw new ConfigException("'" + o.key() + "' must be > 0");
            }
        }
        if (!(get(CUSUM_SLACK) >= 0)) {
            throw new ConfigException("'detection.cusum.slack' must be >= 0");
        }
        if (get(WINDOW_SIZE).toMillis() < 1000) {
            throw new ConfigException("'detection.window-size' must be at least 1 s");
        }
        for (String d : get(DETECTORS)) {
            try {
                DetectorKind.fromCode(d);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("'detection.detectors': " + e.getMessage());
            }
        }
        double floor = get(SPREAD_FLOOR_RELATIVE);
        if (!(floor >= 0 && floor < 1)) {
            throw new ConfigException("'detection.spread-floor-relative' must be in [0, 1)");
        }
        List<String> dims = get(KEY_DIMENSIONS);
        if (dims.isEmpty()) {
            throw new ConfigException("'keys.dimensions' must name at least one dimension");
        }
        for (String d : dims) {
            if (!DIMENSIONS.contains(d)) {
                throw new ConfigException(
                        "'keys.dimensions' has unknown dimension '"
                                + d
                                + "'; known: "
                                + new TreeSet<>(DIMENSIONS));
            }
        }
        try {
            if (metrics().isEmpty()) {
                throw new ConfigException("'detection.metrics' must name at least one metric");
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException("'detection.metrics': " + e.getMessage());
        }
        if (get(STATE_TTL).isNegative()) {
            throw new ConfigException("'detection.state-ttl' must not be negative");
        }
        // Builds every metric's settings once, so a bad per-metric value fails here, by name.
        detectionSettings();
    }

    public <T> T get(ConfigOption<T> option) {
        return options.get(option);
    }

    public List<Metric> metrics() {
        List<Metric> out = new ArrayList<>();
        for (String m : get(DETECTION_METRICS)) {
            Metric metric = Metric.fromCode(m);
            if (!out.contains(metric)) {
                out.add(metric);
            }
        }
        return out;
    }

    /** Every watched metric's settings: per-metric keys, else the global ones; then the preset. */
    public DetectionSettings detectionSettings() {
        double factor = get(SENSITIVITY).thresholdFactor;
        Map<Metric, MetricSettings> out = new EnumMap<>(Metric.class);
        for (Metric m : metrics()) {
            out.put(
                    m,
                    settingsFor(
                            m.code(),
                            m.defaultDirection(),
                            m.defaultLogScale(),
                            m.unit(),
                            m.perRequest() ? get(WARMUP) : get(WINDOW_WARMUP),
                            factor));
        }
        return new DetectionSettings(
                out,
                get(WINDOW_SIZE).toMillis(),
                get(ERROR_RATE_MIN_REQUESTS),
                get(EMPTY_WINDOWS),
                get(STATE_TTL).toMillis(),
                get(REDIS_ENABLED) ? get(REDIS_BASELINE_EVERY) : 0);
    }

    /**
     * The detection settings for a series that is not one of the job's metrics (backtests): the
     * global detection.* values and the sensitivity preset, on a linear scale.
     */
    public MetricSettings seriesSettings(Direction direction) {
        return settingsFor(
                null, direction, false, 1e-9, get(WARMUP), get(SENSITIVITY).thresholdFactor);
    }

    private MetricSettings settingsFor(
            String metric,
            Direction defaultDirection,
            boolean defaultLog,
            double unit,
            int defaultWarmup,
            double factor) {
        Set<DetectorKind> detectors = EnumSet.noneOf(DetectorKind.class);
        String perDetectors = perMetric(metric, PerMetric.DETECTORS);
        for (String d :
                perDetectors != null ? List.of(perDetectors.split("[;,]")) : get(DETECTORS)) {
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
        String dir = perMetric(metric, PerMetric.DIRECTION);
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
        String log = perMetric(metric, PerMetric.LOG_SCALE);
        if (log != null && !log.equalsIgnoreCase("true") && !log.equalsIgnoreCase("false")) {
            throw new ConfigException(
                    "'" + PerMetric.LOG_SCALE.key(metric) + "' must be true or false");
        }
        try {
            return new MetricSettings(
                            direction,
                            detectors,
                            (int) number(metric, PerMetric.WARMUP, defaultWarmup),
                            (int) number(metric, PerMetric.WINDOW, get(WINDOW)),
                            number(metric, PerMetric.ZSCORE_THRESHOLD, get(ZSCORE_THRESHOLD)),
                            number(metric, PerMetric.IQR_K, get(IQR_K)),
                            number(metric, PerMetric.MAD_THRESHOLD, get(MAD_THRESHOLD)),
                            number(metric, PerMetric.CUSUM_SLACK, get(CUSUM_SLACK)),
                            number(metric, PerMetric.CUSUM_DECISION, get(CUSUM_DECISION)),
                            get(SPREAD_FLOOR_RELATIVE),
                            log == null ? defaultLog : Boolean.parseBoolean(log),
                            unit,
                            get(CLIP_ANOMALIES),
                            get(REPEAT_WINDOW))
                    .scaled(factor);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "detection settings"
                            + (metric == null ? "" : " of metric '" + metric + "'")
                            + ": "
                            + e.getMessage());
        }
    }

    private String perMetric(String metric, PerMetric p) {
        return metric == null ? null : options.toMap().get(p.key(metric));
    }

    private double number(String m, PerMetric p, double fallback) {
        String v = perMetric(m, p);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("'" + p.key(m) + "' must be a number, not '" + v + "'");
        }
    }

    public PriceTable priceTable() {
        return new PriceTable(prices);
    }

    public Properties kafkaClientProperties() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        return p;
    }

    /** Every resolved key and value in order, secrets masked, for --dry-run and the logs. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        for (ConfigOption<?> o : ALL) {
            Object v = options.get(o);
            String text =
                    v instanceof List<?> l ? String.join(";", (List<String>) l) : String.valueOf(v);
            boolean secret = secretKeys.contains(o.key()) || looksSecret(o.key());
            out.put(o.key(), secret ? MASK : text);
        }
        for (ConfigOption<?> o : perMetricOptions()) {
            String v = options.toMap().get(o.key());
            if (v != null) {
                out.put(o.key(), v);
            }
        }
        kafkaProperties.forEach(
                (k, v) -> {
                    String key = KAFKA_PROPERTIES_PREFIX + k;
                    out.put(key, secretKeys.contains(key) ? MASK : v);
                });
        for (WebhookEndpoint w : webhooks) {
            out.put(
                    "sinks.webhooks." + w.name(),
                    w
                            + ", min-severity "
                            + w.minSeverity().label()
                            + (w.services().isEmpty() ? "" : ", services " + w.services())
                            + ", "
                            + w.secrets().size()
                            + " secret(s) ******");
        }
        prices.forEach(
                (model, p) ->
                        out.put(
                                PRICING_PREFIX + "." + model,
                                String.format(
                                        Locale.ROOT,
                                        "input-per-1m=%s output-per-1m=%s",
                                        p.inputPerMillion(),
                                        p.outputPerMillion())));
        return out;
    }

    // ---- loading helpers ----

    private static void flatten(
            String prefix,
            JsonNode node,
            Map<String, String> flat,
            Map<String, PriceTable.Price> prices) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = prefix + f.getKey();
            JsonNode v = f.getValue();
            if (key.equals(PRICING_PREFIX)) {
                readPrices(v, prices);
            } else if (key.equals("kafka.properties")) {
                if (!v.isObject()) {
                    throw new ConfigException("'kafka.properties' must be a mapping");
                }
                v.fields()
                        .forEachRemaining(
                                p ->
                                        flat.put(
                                                KAFKA_PROPERTIES_PREFIX + p.getKey(),
                                                p.getValue().asText()));
            } else if (v.isObject()) {
                flatten(key + ".", v, flat, prices);
            } else if (v.isArray()) {
                List<String> items = new ArrayList<>();
                v.forEach(i -> items.add(i.asText()));
                flat.put(key, String.join(";", items));
            } else if (v.isNull()) {
                throw new ConfigException(
                        "'" + key + "' has no value; remove it to use the default");
            } else {
                flat.put(key, v.asText());
            }
        }
    }

    private static void readPrices(JsonNode v, Map<String, PriceTable.Price> prices) {
        if (v.isNull()) {
            return;
        }
        if (!v.isObject()) {
            throw new ConfigException(
                    "'pricing.models' must map model names to {input-per-1m, output-per-1m}");
        }
        v.fields()
                .forEachRemaining(
                        m -> {
                            String where = "'pricing.models." + m.getKey() + "'";
                            JsonNode in = m.getValue().get("input-per-1m");
                            JsonNode out = m.getValue().get("output-per-1m");
                            if (in == null || out == null || !in.isNumber() || !out.isNumber()) {
                                throw new ConfigException(
                                        where + " needs numbers input-per-1m and output-per-1m");
                            }
                            prices.put(m.getKey(), price(where, in.asDouble(), out.asDouble()));
                        });
    }

    /** {@code --pricing.models.<model>.input-per-1m 2.5} on the command line. */
    private static void overridePrice(
            Map<String, PriceTable.Price> prices, String key, String value) {
        String rest = key.substring(PRICING_PREFIX.length() + 1);
        int dot = rest.lastIndexOf('.');
        if (dot <= 0) {
            throw new ConfigException("unknown configuration key '" + key + "'");
        }
        String model = rest.substring(0, dot);
        String field = rest.substring(dot + 1);
        double d;
        try {
            d = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new ConfigException("'" + key + "' must be a number, not '" + value + "'");
        }
        PriceTable.Price old = prices.getOrDefault(model, new PriceTable.Price(0, 0));
        String where = "'" + key + "'";
        switch (field) {
            case "input-per-1m" -> prices.put(model, price(where, d, old.outputPerMillion()));
            case "output-per-1m" -> prices.put(model, price(where, old.inputPerMillion(), d));
            default -> throw new ConfigException("unknown configuration key '" + key + "'");
        }
    }

    private static PriceTable.Price price(String where, double in, double out) {
        if (!(in >= 0) || !(out >= 0) || Double.isInfinite(in) || Double.isInfinite(out)) {
            throw new ConfigException(where + ": prices must be finite and >= 0");
        }
        return new PriceTable.Price(in, out);
    }

    private static String resolveEnv(String key, String value, UnaryOperator<String> env) {
        Matcher m = ENV_REF.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String resolved = env.apply(m.group(1));
            if (resolved == null) {
                throw new ConfigException(
                        "'"
                                + key
                                + "' refers to environment variable "
                                + m.group(1)
                                + ", which is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(resolved));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password")
                || k.contains("secret")
                || k.contains("token")
                || k.contains("jaas")
                || k.contains("credential");
    }

    private static String hint(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(3, key.length() / 4)
                ? "; did you mean '" + best + "'?"
                : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private void requireNonBlank(ConfigOption<String> o) {
        if (get(o).isBlank()) {
            throw new ConfigException("'" + o.key() + "' must not be empty");
        }
    }

    private void requireAtLeast(ConfigOption<Integer> o, int min) {
        if (get(o) < min) {
            throw new ConfigException(
                    "'" + o.key() + "' must be at least " + min + ", not " + get(o));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}

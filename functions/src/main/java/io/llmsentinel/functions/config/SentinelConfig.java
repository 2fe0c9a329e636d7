package io.llmsentinel.functions.config;

import io.llmsentinel.functions.read.PriceTable;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
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

/**
 * {@code sentinel.yaml}, resolved and validated: the one loader the job and the query API share, so
 * both accept the same file and the same overrides. In order of precedence:
 *
 * <ol>
 *   <li>{@code --key value} on the command line;
 *   <li>an environment variable {@code SENTINEL_<KEY>}: the key upper-cased, dots and dashes as
 *       underscores ({@code query-api.port} is {@code SENTINEL_QUERY_API_PORT}); lists may be
 *       separated by commas or semicolons;
 *   <li>the file;
 *   <li>the option's default.
 * </ol>
 *
 * Any value may be or contain {@code ${env:NAME}}, resolved from the environment: the only place
 * secrets come from. Those values, and keys that look like secrets, are masked by {@link
 * #describe()}. Every key must belong to an {@link OptionGroup} of {@link #GROUPS} (a typo is
 * reported with the closest known key); every value is checked against its option's type, then each
 * group checks what spans several options. Three subtrees are free-form: {@code kafka.properties}
 * (passed to the Kafka clients), {@code pricing.models} (per-model prices) and {@code
 * sinks.webhooks} (a list of endpoints, read by the webhook sink).
 */
public final class SentinelConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Every section of the file. The known keys are derived from these groups' options. */
    public static final List<OptionGroup> GROUPS =
            List.of(
                    JobOptions.GROUP,
                    KafkaOptions.GROUP,
                    InputOptions.GROUP,
                    EventTimeOptions.GROUP,
                    KeyOptions.GROUP,
                    DetectionOptions.GROUP,
                    AlertOptions.GROUP,
                    ConsoleOptions.GROUP,
                    KafkaSinkOptions.GROUP,
                    RabbitMqOptions.GROUP,
                    InfluxDbOptions.GROUP,
                    RedisOptions.GROUP,
                    DeliveryOptions.GROUP,
                    DeadLetterOptions.GROUP,
                    ControlOptions.GROUP,
                    QueryApiOptions.GROUP);

    /** Keys of earlier versions, with what replaced them. */
    static final Map<String, String> REMOVED =
            Map.of(
                    "sinks.influxdb.max-attempts",
                    "InfluxDB writes are now retried until sinks.delivery.give-up-after, from a"
                            + " checkpointed backlog, instead of failing the job",
                    "sinks.rabbitmq.flush-timeout",
                    "a checkpoint no longer waits for RabbitMQ; see sinks.rabbitmq.confirm-timeout"
                            + " and sinks.delivery.give-up-after");

    public static final String PRICING_KEY = "pricing.models";
    public static final String WEBHOOKS_KEY = "sinks.webhooks";
    public static final String ENV_PREFIX = "SENTINEL_";
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");
    private static final String MASK = "******";

    private final Configuration options;
    private final Map<String, String> kafkaProperties;
    private final Map<String, PriceTable.Price> prices;
    private final List<Map<String, List<String>>> webhooks;
    private final Set<String> secretKeys;
    private final transient UnaryOperator<String> env;

    private SentinelConfig(
            Configuration options,
            Map<String, String> kafkaProperties,
            Map<String, PriceTable.Price> prices,
            List<Map<String, List<String>>> webhooks,
            Set<String> secretKeys,
            UnaryOperator<String> env) {
        this.options = options;
        this.kafkaProperties = kafkaProperties;
        this.prices = prices;
        this.webhooks = webhooks;
        this.secretKeys = secretKeys;
        this.env = env;
    }

    /** Loads {@code file} (or only defaults when null), applies overrides and validates. */
    public static SentinelConfig load(
            Path file, Map<String, String> overrides, UnaryOperator<String> env) {
        Map<String, String> flat = new LinkedHashMap<>();
        Map<String, PriceTable.Price> prices = new TreeMap<>();
        List<Map<String, List<String>>> webhooks = new ArrayList<>();
        if (file != null) {
            YamlFile.read(file, flat, prices, webhooks);
        }
        for (ConfigOption<?> o : allOptions()) {
            String v = env.apply(envName(o.key()));
            if (v != null) {
                // A list from the environment may be comma-separated, as such lists usually are.
                flat.put(o.key(), o.defaultValue() instanceof List<?> ? v.replace(',', ';') : v);
            }
        }
        flat.putAll(overrides);
        return resolve(flat, prices, webhooks, env);
    }

    /** Defaults only (no file, no environment). */
    public static SentinelConfig defaults() {
        return resolve(Map.of(), Map.of(), List.of(), name -> null);
    }

    /** The environment variable that overrides {@code key}: {@code SENTINEL_QUERY_API_PORT}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** Every key of every group, in the groups' order. */
    public static List<ConfigOption<?>> allOptions() {
        List<ConfigOption<?>> out = new ArrayList<>();
        GROUPS.forEach(g -> out.addAll(g.options()));
        return out;
    }

    private static Set<String> knownKeys() {
        Set<String> known = new TreeSet<>();
        allOptions().forEach(o -> known.add(o.key()));
        return known;
    }

    private static SentinelConfig resolve(
            Map<String, String> flat,
            Map<String, PriceTable.Price> prices,
            List<Map<String, List<String>>> webhooks,
            UnaryOperator<String> env) {
        Set<String> known = knownKeys();
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
            if (key.startsWith(KafkaOptions.PROPERTIES_PREFIX)) {
                kafkaProperties.put(key.substring(KafkaOptions.PROPERTIES_PREFIX.length()), value);
            } else if (key.startsWith(PRICING_KEY + ".")) {
                overridePrice(allPrices, key, value);
            } else if (known.contains(key)
                    || GROUPS.stream().anyMatch(g -> g.acceptsDynamicKey(key))) {
                options.setString(key, value);
            } else if (REMOVED.containsKey(key)) {
                throw new ConfigException(
                        "configuration key '" + key + "' was removed: " + REMOVED.get(key));
            } else {
                throw new ConfigException(
                        "unknown configuration key '" + key + "'" + KeyHints.hint(key, known));
            }
        }
        List<Map<String, List<String>>> resolvedHooks = new ArrayList<>();
        for (int i = 0; i < webhooks.size(); i++) {
            Map<String, List<String>> hook = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> f : webhooks.get(i).entrySet()) {
                String where = WEBHOOKS_KEY + "[" + i + "]." + f.getKey();
                List<String> values = new ArrayList<>();
                f.getValue().forEach(v -> values.add(resolveEnv(where, v, env)));
                if (f.getValue().stream().anyMatch(v -> v != null && v.contains("${env:"))) {
                    secretKeys.add(where); // from the environment: a secret, never printed
                }
                hook.put(f.getKey(), values);
            }
            resolvedHooks.add(hook);
        }
        SentinelConfig config =
                new SentinelConfig(
                        options, kafkaProperties, allPrices, resolvedHooks, secretKeys, env);
        config.validate();
        return config;
    }

    private void validate() {
        for (ConfigOption<?> o : allOptions()) {
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
        GROUPS.forEach(g -> g.validate(this));
    }

    public <T> T get(ConfigOption<T> option) {
        return options.get(option);
    }

    /** The raw value of a key as configured (dynamic keys such as per-metric ones), or null. */
    public String raw(String key) {
        return options.toMap().get(key);
    }

    /** Every configured key (dynamic ones included), for prefixes such as alerts.runbooks. */
    public java.util.Set<String> rawKeys() {
        return options.toMap().keySet();
    }

    /**
     * An environment variable as the configuration saw it when it was loaded (for outputs that also
     * take their settings from the environment); null after serialization.
     */
    public String environment(String name) {
        return env == null ? null : env.apply(name);
    }

    public PriceTable priceTable() {
        return new PriceTable(prices);
    }

    public Properties kafkaClientProperties() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        return p;
    }

    /**
     * {@code sinks.webhooks}: one map per endpoint from field name to its values (one for a scalar,
     * several for a list), {@code ${env:NAME}} resolved. The webhook sink turns them into
     * endpoints.
     */
    public List<Map<String, List<String>>> webhookEntries() {
        return webhooks;
    }

    /** Every resolved key and value in order, secrets masked, for --dry-run and the logs. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        for (ConfigOption<?> o : allOptions()) {
            Object v = options.get(o);
            String text =
                    v instanceof List<?> l
                            ? String.join(";", l.stream().map(String::valueOf).toList())
                            : String.valueOf(v);
            boolean secret = secretKeys.contains(o.key()) || looksSecret(o.key());
            out.put(o.key(), secret ? MASK : text);
        }
        options.toMap()
                .forEach(
                        (k, v) -> {
                            if (!out.containsKey(k)) {
                                out.put(k, secretKeys.contains(k) ? MASK : v);
                            }
                        });
        kafkaProperties.forEach(
                (k, v) -> {
                    String key = KafkaOptions.PROPERTIES_PREFIX + k;
                    out.put(key, secretKeys.contains(key) ? MASK : v);
                });
        for (int i = 0; i < webhooks.size(); i++) {
            Map<String, List<String>> hook = webhooks.get(i);
            String prefix = WEBHOOKS_KEY + "[" + i + "].";
            StringBuilder s = new StringBuilder();
            hook.forEach(
                    (k, v) -> {
                        if (s.length() > 0) {
                            s.append(", ");
                        }
                        s.append(k).append('=');
                        boolean secret = looksSecret(k) || secretKeys.contains(prefix + k);
                        s.append(secret ? v.size() + " x " + MASK : String.join(";", v));
                    });
            out.put(WEBHOOKS_KEY + "[" + i + "]", s.toString());
        }
        prices.forEach(
                (model, p) ->
                        out.put(
                                PRICING_KEY + "." + model,
                                String.format(
                                        Locale.ROOT,
                                        "input-per-1m=%s output-per-1m=%s",
                                        p.inputPerMillion(),
                                        p.outputPerMillion())));
        return out;
    }

    // ---- checks the option groups share ----

    void requireNonBlank(ConfigOption<String> o) {
        if (get(o).isBlank()) {
            throw new ConfigException("'" + o.key() + "' must not be empty");
        }
    }

    void requireAtLeast(ConfigOption<Integer> o, int min) {
        if (get(o) < min) {
            throw new ConfigException(
                    "'" + o.key() + "' must be at least " + min + ", not " + get(o));
        }
    }

    /** {@code --pricing.models.<model>.input-per-1m 2.5} on the command line. */
    private static void overridePrice(
            Map<String, PriceTable.Price> prices, String key, String value) {
        String rest = key.substring(PRICING_KEY.length() + 1);
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

    static PriceTable.Price price(String where, double in, double out) {
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

    static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return (k.contains("password")
                        || k.contains("secret")
                        || k.contains("token")
                        || k.contains("jaas")
                        || k.contains("credential"))
                && !k.endsWith("-env"); // names an environment variable, not a secret
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}

package io.llmsentinel.functions.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.llmsentinel.functions.read.PriceTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code sentinel.yaml} into flat keys ({@code detection.zscore.threshold}, lists joined by
 * ';'), and the three free-form subtrees into their own shapes: {@code pricing.models}, {@code
 * sinks.webhooks} and {@code kafka.properties} (whose keys contain dots of their own).
 */
final class YamlFile {
    private YamlFile() {}

    static void read(
            Path file,
            Map<String, String> flat,
            Map<String, PriceTable.Price> prices,
            List<Map<String, List<String>>> webhooks) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration " + file + ": " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return;
        }
        if (!root.isObject()) {
            throw new ConfigException(file + ": the top level must be a mapping of keys");
        }
        flatten("", root, flat, prices, webhooks);
    }

    private static void flatten(
            String prefix,
            JsonNode node,
            Map<String, String> flat,
            Map<String, PriceTable.Price> prices,
            List<Map<String, List<String>>> webhooks) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = prefix + f.getKey();
            JsonNode v = f.getValue();
            if (key.equals(SentinelConfig.PRICING_KEY)) {
                readPrices(v, prices);
            } else if (key.equals(SentinelConfig.WEBHOOKS_KEY)) {
                readWebhooks(v, webhooks);
            } else if (key.equals("kafka.properties")) {
                if (!v.isObject()) {
                    throw new ConfigException("'kafka.properties' must be a mapping");
                }
                v.fields()
                        .forEachRemaining(
                                p ->
                                        flat.put(
                                                KafkaOptions.PROPERTIES_PREFIX + p.getKey(),
                                                p.getValue().asText()));
            } else if (v.isObject()) {
                flatten(key + ".", v, flat, prices, webhooks);
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

    private static void readWebhooks(JsonNode v, List<Map<String, List<String>>> webhooks) {
        if (v.isNull()) {
            return;
        }
        if (!v.isArray()) {
            throw new ConfigException("'sinks.webhooks' must be a list of endpoints");
        }
        int i = 0;
        for (JsonNode n : v) {
            if (!n.isObject()) {
                throw new ConfigException(
                        "'sinks.webhooks[" + i + "]' must be a mapping (name, url, secrets, ...)");
            }
            Map<String, List<String>> hook = new LinkedHashMap<>();
            n.fields()
                    .forEachRemaining(
                            f -> {
                                List<String> values = new ArrayList<>();
                                if (f.getValue().isArray()) {
                                    f.getValue().forEach(x -> values.add(x.asText()));
                                } else {
                                    values.add(f.getValue().asText());
                                }
                                hook.put(f.getKey(), values);
                            });
            webhooks.add(hook);
            i++;
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
                            prices.put(
                                    m.getKey(),
                                    SentinelConfig.price(where, in.asDouble(), out.asDouble()));
                        });
    }
}

package io.llmsentinel.query;

import io.llmsentinel.functions.config.ConfigException;
import io.llmsentinel.functions.config.SentinelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar sentinel-query-api.jar [--config conf/sentinel.yaml] [--key value ...]}: starts
 * the service, prints its URL, and stops gracefully on SIGTERM (requests in flight are answered,
 * then the clients close). The file and overrides are read as the job reads them.
 */
public final class QueryApiMain {
    private static final Logger LOG = LoggerFactory.getLogger(QueryApiMain.class);

    private QueryApiMain() {}

    public static void main(String[] args) throws Exception {
        Path config = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println(
                        "usage: sentinel-query-api [--config conf/sentinel.yaml] [--key value ...]");
                System.exit(2);
            }
            String key = args[i].substring(2);
            String value = args[++i];
            if (key.equals("config")) {
                config = Path.of(value);
            } else {
                overrides.put(key, value);
            }
        }
        if (config == null && Files.exists(Path.of("conf/sentinel.yaml"))) {
            config = Path.of("conf/sentinel.yaml");
        }
        QueryApiConfig c;
        try {
            c =
                    QueryApiConfig.from(
                            SentinelConfig.load(config, overrides, System::getenv), System::getenv);
        } catch (ConfigException e) {
            System.err.println("Invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        long t0 = System.nanoTime();
        QueryApi api = new QueryApi(c).start();
        LOG.info("settings: {}", c.describe());
        if (c.tokens().isEmpty()) {
            LOG.warn("no token hashes configured: every API call will be refused (401)");
        }
        System.out.printf(
                "LLM-Sentinel query API on http://%s:%d/ (started in %d ms)%n",
                c.bind(), api.port(), (System.nanoTime() - t0) / 1_000_000);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        api.close();
                                    } catch (Exception e) {
                                        LOG.warn("stopping: {}", e.toString());
                                    }
                                    stopped.countDown();
                                },
                                "query-api-stop"));
        stopped.await();
    }
}

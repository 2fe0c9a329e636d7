package io.llmsentinel.job;

import io.llmsentinel.functions.config.ConfigException;
import io.llmsentinel.functions.config.InfluxDbOptions;
import io.llmsentinel.functions.config.JobOptions;
import io.llmsentinel.functions.config.KafkaSinkOptions;
import io.llmsentinel.functions.config.RabbitMqOptions;
import io.llmsentinel.functions.config.SentinelConfig;
import io.llmsentinel.sinks.webhook.WebhookEndpoints;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point for {@code flink run}. Arguments:
 *
 * <pre>
 *   --config FILE        sentinel.yaml (default: defaults only)
 *   --KEY VALUE          override one key, e.g. --kafka.bootstrap-servers broker:9092
 *   --dry-run            print the resolved configuration (secrets hidden) and the execution
 *                        plan, then exit
 *   --local [DIR]        run in a local Flink with the web UI on :8081, using DIR/config.yaml
 *                        (default conf/flink) as its Flink configuration
 * </pre>
 */
public final class SentinelJob {
    private SentinelJob() {}

    /** Command-line arguments, split into the job's own flags and configuration overrides. */
    record Arguments(
            Path configFile, boolean dryRun, Path localFlinkConf, Map<String, String> overrides) {

        static Arguments parse(String[] args) {
            Path config = null;
            boolean dryRun = false;
            Path local = null;
            Map<String, String> overrides = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--")) {
                    throw new ConfigException(
                            "unexpected argument '" + a + "'; options start with --");
                }
                String name = a.substring(2);
                String inlineValue = null;
                int eq = name.indexOf('=');
                if (eq > 0) {
                    inlineValue = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                switch (name) {
                    case "dry-run" -> dryRun = true;
                    case "local" -> {
                        if (inlineValue != null) {
                            local = Path.of(inlineValue);
                        } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                            local = Path.of(args[++i]);
                        } else {
                            local = Path.of("conf/flink");
                        }
                    }
                    default -> {
                        String value = inlineValue;
                        if (value == null) {
                            if (i + 1 >= args.length) {
                                throw new ConfigException("'--" + name + "' needs a value");
                            }
                            value = args[++i];
                        }
                        if (name.equals("config")) {
                            config = Path.of(value);
                        } else {
                            overrides.put(name, value);
                        }
                    }
                }
            }
            return new Arguments(config, dryRun, local, overrides);
        }
    }

    public static void main(String[] args) throws Exception {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Arguments arguments;
        SentinelConfig config;
        try {
            arguments = Arguments.parse(args);
            if (arguments.configFile() != null && !Files.isRegularFile(arguments.configFile())) {
                throw new ConfigException(
                        "configuration file " + arguments.configFile() + " does not exist");
            }
            config =
                    SentinelConfig.load(
                            arguments.configFile(), arguments.overrides(), System::getenv);
        } catch (ConfigException e) {
            err.println("Invalid configuration: " + e.getMessage());
            err.println(
                    "Nothing was started. Fix the key named above (see conf/sentinel.yaml for every key and its default).");
            return 2;
        }

        StreamExecutionEnvironment env;
        if (arguments.localFlinkConf() != null) {
            Configuration flinkConf =
                    Files.isDirectory(arguments.localFlinkConf())
                            ? GlobalConfiguration.loadConfiguration(
                                    arguments.localFlinkConf().toString())
                            : new Configuration();
            env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flinkConf);
        } else {
            env = StreamExecutionEnvironment.getExecutionEnvironment();
        }
        SentinelTopology.build(env, config, JobIo.fromConfig(config));
        List<String> needCheckpoints =
                env.getCheckpointConfig().isCheckpointingEnabled()
                        ? List.of()
                        : outputsThatNeedCheckpoints(config);
        String refusal =
                needCheckpoints.isEmpty()
                        ? null
                        : "checkpointing is off, and "
                                + String.join(", ", needCheckpoints)
                                + " rel"
                                + (needCheckpoints.size() == 1 ? "ies" : "y")
                                + " on it (without checkpoints the exactly-once topic never"
                                + " commits, the outputs' backlogs of undelivered alerts are"
                                + " never saved, and Kafka offsets are never committed). Set"
                                + " execution.checkpointing.interval (e.g. 30 s) in the Flink"
                                + " configuration, or turn those outputs off.";

        if (arguments.dryRun()) {
            if (refusal != null) {
                out.println("# WARNING: a real run would refuse to start: " + refusal);
            }
            out.println("# Resolved configuration (secrets hidden)");
            config.describe().forEach((k, v) -> out.println(k + ": " + v));
            out.println();
            out.println("# Execution plan (paste into https://flink.apache.org/visualizer/)");
            out.println(env.getExecutionPlan());
            return 0;
        }
        if (refusal != null) {
            err.println("Refusing to start: " + refusal);
            return 2;
        }
        env.execute(config.get(JobOptions.NAME));
        return 0;
    }

    /** The enabled outputs that only keep their promise with checkpoints. */
    static List<String> outputsThatNeedCheckpoints(SentinelConfig config) {
        List<String> out = new ArrayList<>();
        if (config.get(KafkaSinkOptions.ENABLED) && config.get(KafkaSinkOptions.EXACTLY_ONCE)) {
            out.add("the exactly-once anomaly topic (sinks.kafka.exactly-once)");
        }
        if (config.get(RabbitMqOptions.ENABLED)) {
            out.add("RabbitMQ (sinks.rabbitmq)");
        }
        if (!WebhookEndpoints.from(config).isEmpty()) {
            out.add("webhooks (sinks.webhooks)");
        }
        if (config.get(InfluxDbOptions.ENABLED)) {
            out.add("InfluxDB (sinks.influxdb)");
        }
        return out;
    }
}

package io.llmsentinel.functions.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.llmsentinel.functions.detect.Severity;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/** {@code sinks.rabbitmq.*}: alerts to a durable topic exchange, routing key by severity. */
public final class RabbitMqOptions implements OptionGroup {
    public static final RabbitMqOptions GROUP = new RabbitMqOptions();

    public static final ConfigOption<Boolean> ENABLED =
            key("sinks.rabbitmq.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Publish alerts to a RabbitMQ topic exchange, with publisher confirms"
                                    + " awaited before each checkpoint completes.");

    public static final ConfigOption<String> HOST =
            key("sinks.rabbitmq.host")
                    .stringType()
                    .defaultValue("127.0.0.1")
                    .withDescription("RabbitMQ host.");

    public static final ConfigOption<Integer> PORT =
            key("sinks.rabbitmq.port")
                    .intType()
                    .defaultValue(5672)
                    .withDescription("RabbitMQ AMQP port.");

    public static final ConfigOption<String> VIRTUAL_HOST =
            key("sinks.rabbitmq.virtual-host")
                    .stringType()
                    .defaultValue("/")
                    .withDescription("RabbitMQ virtual host.");

    public static final ConfigOption<String> USERNAME =
            key("sinks.rabbitmq.username")
                    .stringType()
                    .defaultValue("guest")
                    .withDescription("RabbitMQ user.");

    public static final ConfigOption<String> PASSWORD =
            key("sinks.rabbitmq.password")
                    .stringType()
                    .defaultValue("guest")
                    .withDescription("Use ${env:NAME} for anything but a local broker.");

    public static final ConfigOption<Severity> MIN_SEVERITY =
            key("sinks.rabbitmq.min-severity")
                    .enumType(Severity.class)
                    .defaultValue(Severity.MEDIUM)
                    .withDescription(
                            "Alerts at least this severe are published (their resolutions too).");

    public static final ConfigOption<String> EXCHANGE =
            key("sinks.rabbitmq.exchange")
                    .stringType()
                    .defaultValue("sentinel.alerts")
                    .withDescription("Durable topic exchange (declared if missing).");

    public static final ConfigOption<String> ROUTING_KEY_PREFIX =
            key("sinks.rabbitmq.routing-key-prefix")
                    .stringType()
                    .defaultValue("alert.")
                    .withDescription(
                            "Routing key of an opened or escalated alert = prefix + severity, e.g."
                                    + " alert.critical; a resolution goes to resolved.<severity>.");

    public static final ConfigOption<Integer> MAX_OUTSTANDING =
            key("sinks.rabbitmq.max-outstanding")
                    .intType()
                    .defaultValue(1000)
                    .withDescription(
                            "Messages published before waiting for their confirms (one batch).");

    public static final ConfigOption<Duration> CONFIRM_TIMEOUT =
            key("sinks.rabbitmq.confirm-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How long the broker has to confirm a published batch; after that the"
                                    + " channel is replaced and the batch published again (its late"
                                    + " confirms change nothing).");

    private RabbitMqOptions() {}
}

package io.llmsentinel.devtools.demo;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * For the demo: what an alert consumer does. Declares the alert exchange and a durable queue bound
 * to {@code alert.#}, {@code resolved.#} and {@code incident.#} (before the job publishes, so
 * nothing is unroutable), prints one line per alert, acknowledges it, and prints the count per
 * routing key when stopped.
 *
 * <p>{@code java ... AlertQueueConsumer [--host H] [--port P] [--exchange E] [--queue Q] [--purge
 * true]}: with {@code --purge true} the queue is emptied first (the demo counts only its own run;
 * the queue is durable and keeps what earlier runs published while nobody consumed). With {@code
 * --record FILE} every message is also appended to FILE ({@link DeliveryLog}): its message id, its
 * type and whether the broker redelivered it.
 */
public final class AlertQueueConsumer {
    private AlertQueueConsumer() {}

    private static final Pattern FIELD =
            Pattern.compile("\"(service|metric|anomaly_type)\":\"([^\"]*)\"");

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 5672;
        String exchange = "sentinel.alerts";
        String queue = "sentinel.demo.alerts";
        boolean purge = false;
        DeliveryLog record = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--host" -> host = args[i + 1];
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--exchange" -> exchange = args[i + 1];
                case "--queue" -> queue = args[i + 1];
                case "--purge" -> purge = Boolean.parseBoolean(args[i + 1]);
                case "--record" -> record = DeliveryLog.appendTo(Path.of(args[i + 1]));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(host);
        f.setPort(port);
        f.setAutomaticRecoveryEnabled(true);
        Connection c = f.newConnection("llm-sentinel-demo-consumer");
        Channel ch = c.createChannel();
        ch.exchangeDeclare(exchange, "topic", true);
        ch.queueDeclare(queue, true, false, false, null);
        ch.queueBind(queue, exchange, "alert.#");
        ch.queueBind(queue, exchange, "resolved.#");
        ch.queueBind(queue, exchange, "incident.#");
        if (purge) {
            int dropped = ch.queuePurge(queue).getMessageCount();
            System.out.printf("purged %d alerts left on %s by earlier runs%n", dropped, queue);
        }
        Map<String, Integer> counts = new TreeMap<>();
        DeliveryLog deliveries = record;
        DeliverCallback onMessage =
                (tag, d) -> {
                    String body = new String(d.getBody(), StandardCharsets.UTF_8);
                    StringBuilder what = new StringBuilder();
                    Matcher m = FIELD.matcher(body);
                    while (m.find()) {
                        what.append(' ').append(m.group(1)).append('=').append(m.group(2));
                    }
                    synchronized (counts) {
                        counts.merge(d.getEnvelope().getRoutingKey(), 1, Integer::sum);
                    }
                    if (deliveries != null) {
                        deliveries.add(
                                d.getProperties().getMessageId(),
                                d.getProperties().getType() != null
                                        ? d.getProperties().getType()
                                        : d.getEnvelope().getRoutingKey(),
                                d.getEnvelope().isRedeliver());
                    }
                    System.out.printf(
                            "RABBITMQ %s message_id=%s%s%n",
                            d.getEnvelope().getRoutingKey(),
                            d.getProperties().getMessageId(),
                            what);
                    ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
                };
        ch.basicConsume(queue, false, onMessage, tag -> {});
        System.out.printf(
                "consuming queue %s bound to alert.#, resolved.# and incident.# on exchange %s at %s:%d%n",
                queue, exchange, host, port);
        System.out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    int total;
                                    synchronized (counts) {
                                        total =
                                                counts.values().stream()
                                                        .mapToInt(Integer::intValue)
                                                        .sum();
                                    }
                                    System.out.printf(
                                            "rabbitmq consumer: %d messages received %s%n",
                                            total, counts);
                                    System.out.flush();
                                    stop.countDown();
                                }));
        stop.await();
    }
}

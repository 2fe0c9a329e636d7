package io.llmsentinel.devtools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.llmsentinel.sinks.webhook.WebhookSigner;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's webhook receiver on 127.0.0.1: checks each delivery's Standard Webhooks signature
 * (recomputed with the shared secret, compared in constant time) and timestamp (at most five
 * minutes off), answers 204 or 401, and prints one line per alert.
 *
 * <pre>  DEMO_WEBHOOK_SECRET=whsec_... java ... WebhookReceiver PORT [--record FILE]</pre>
 *
 * The secret comes from the environment, so it never shows in a process list. With {@code --record}
 * every delivery is also appended to FILE ({@link DeliveryLog}), a rejected one with the type
 * {@value DeliveryLog#REJECTED}.
 */
public final class WebhookReceiver {
    private WebhookReceiver() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        DeliveryLog record =
                args.length >= 3 && args[1].equals("--record")
                        ? DeliveryLog.appendTo(Path.of(args[2]))
                        : null;
        String secret = System.getenv("DEMO_WEBHOOK_SECRET");
        if (secret == null || secret.isBlank()) {
            throw new IllegalStateException(
                    "set DEMO_WEBHOOK_SECRET (whsec_...) in the environment");
        }
        WebhookSigner signer = new WebhookSigner(List.of(secret));
        ObjectMapper json = new ObjectMapper();
        AtomicInteger verified = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext(
                "/hook",
                exchange -> {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    String id = exchange.getRequestHeaders().getFirst("webhook-id");
                    String ts = exchange.getRequestHeaders().getFirst("webhook-timestamp");
                    String sig = exchange.getRequestHeaders().getFirst("webhook-signature");
                    boolean ok = false;
                    try {
                        long t = Long.parseLong(ts);
                        boolean fresh = Math.abs(Instant.now().getEpochSecond() - t) <= 300;
                        String expected = signer.sign(id, t, body);
                        ok = fresh && sig != null && anyMatch(sig, expected);
                    } catch (RuntimeException e) {
                        ok = false;
                    }
                    if (ok) {
                        verified.incrementAndGet();
                        JsonNode whole = json.readTree(body);
                        if (record != null) {
                            record.add(id, whole.path("type").asText(), false);
                        }
                        JsonNode d = whole.path("data");
                        if (whole.path("type").asText().startsWith("incident.")) {
                            StringBuilder alerts = new StringBuilder();
                            for (JsonNode a : d.path("alerts")) {
                                alerts.append(a.path("metric").asText())
                                        .append(':')
                                        .append(a.path("severity").asText())
                                        .append(' ');
                            }
                            StringBuilder traces = new StringBuilder();
                            for (JsonNode x : d.path("exemplars")) {
                                traces.append(x.path("trace_id").asText()).append(' ');
                            }
                            System.out.printf(
                                    Locale.ROOT,
                                    "WEBHOOK verified  %-17s %-8s %-18s alerts [%s] exemplars [%s] runbook %s (id %s)%n",
                                    whole.path("type").asText(),
                                    d.path("severity").asText(),
                                    d.path("service").asText(),
                                    alerts.toString().trim(),
                                    traces.toString().trim(),
                                    d.path("runbook_url").asText("-"),
                                    id);
                        } else {
                            System.out.printf(
                                    Locale.ROOT,
                                    "WEBHOOK verified  %-17s %-8s %-18s %-18s %s (id %s)%n",
                                    whole.path("type").asText(),
                                    d.path("severity").asText(),
                                    d.path("anomaly_type").asText(),
                                    d.path("service").asText(),
                                    d.path("metric").asText(),
                                    id);
                        }
                    } else {
                        rejected.incrementAndGet();
                        if (record != null) {
                            record.add(id, DeliveryLog.REJECTED, false);
                        }
                        System.out.println(
                                "WEBHOOK REJECTED: bad signature or timestamp (id " + id + ")");
                    }
                    exchange.sendResponseHeaders(ok ? 204 : 401, -1);
                    exchange.close();
                });
        server.start();
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () ->
                                        System.out.printf(
                                                "webhook receiver: %d notifications with valid signatures, %d rejected%n",
                                                verified.get(), rejected.get())));
        System.out.println("webhook receiver listening on http://127.0.0.1:" + port + "/hook");
    }

    private static boolean anyMatch(String header, String expected) {
        for (String got : header.split(" ")) {
            for (String want : expected.split(" ")) {
                if (MessageDigest.isEqual(got.getBytes(), want.getBytes())) {
                    return true;
                }
            }
        }
        return false;
    }
}

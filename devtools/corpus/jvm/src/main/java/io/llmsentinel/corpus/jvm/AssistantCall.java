package io.llmsentinel.corpus.jvm;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One service's way of answering a user: an application observation (the span a web request or an
 * {@code @Observed} method would give) around one ChatClient call, streamed or not. The observation
 * is both in scope on the thread and in the Reactor context, as Spring MVC and WebFlux put it, so
 * Spring AI's spans find their parent either way.
 */
final class AssistantCall {
    private static final Duration STREAM_TIMEOUT = Duration.ofSeconds(330);

    private final String service;
    private final ChatClient chatClient;
    private final ObservationRegistry registry;
    private final CallLedger ledger;

    AssistantCall(
            String service,
            ChatClient chatClient,
            ObservationRegistry registry,
            CallLedger ledger) {
        this.service = service;
        this.chatClient = chatClient;
        this.registry = registry;
        this.ledger = ledger;
    }

    void run(String model, CallMode mode, String question) {
        OpenAiChatOptions options =
                OpenAiChatOptions.builder()
                        .model(model)
                        .streamUsage(mode == CallMode.STREAM_WITH_USAGE)
                        .httpHeaders(Map.of("x-sentinel-service", service))
                        .build();
        Observation parent =
                Observation.createNotStarted("assistant.answer", registry)
                        .lowCardinalityKeyValue(
                                "assistant.streaming", String.valueOf(mode.streaming))
                        .start();
        try (Observation.Scope scope = parent.openScope()) {
            ChatClient.ChatClientRequestSpec request =
                    chatClient.prompt().system(SYSTEM).user(question).options(options);
            if (mode.streaming) {
                List<ChatResponse> chunks =
                        request.stream()
                                .chatResponse()
                                .contextWrite(
                                        ctx -> ctx.put(ObservationThreadLocalAccessor.KEY, parent))
                                .collectList()
                                .timeout(STREAM_TIMEOUT)
                                .block();
                if (chunks == null || chunks.isEmpty()) {
                    throw new IllegalStateException("stream ended without a chunk");
                }
            } else {
                request.call().chatResponse();
            }
            ledger.record(service, model, mode, "ok");
        } catch (RuntimeException e) {
            parent.error(e);
            ledger.record(service, model, mode, outcome(e));
        } finally {
            parent.stop();
        }
    }

    /**
     * The failure in the JavaScript corpus's words: rate_limited, server_error, client_error,
     * connection (dropped or timed out without an answer), or aborted (a stream still running
     * when this caller gave up on it).
     */
    static String outcome(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return "aborted";
            }
            if (t instanceof RestClientResponseException r) {
                return byStatus(r.getStatusCode().value());
            }
            if (t instanceof WebClientResponseException w) {
                return byStatus(w.getStatusCode().value());
            }
            // Spring AI's own error handler turns a non-streaming error answer into an
            // AiException whose message is "HTTP <status> - <body>".
            Matcher m = HTTP_STATUS.matcher(String.valueOf(t.getMessage()));
            if (m.lookingAt()) {
                return byStatus(Integer.parseInt(m.group(1)));
            }
        }
        return "connection";
    }

    private static String byStatus(int status) {
        if (status == 429) {
            return "rate_limited";
        }
        return status >= 500 ? "server_error" : "client_error";
    }

    private static final Pattern HTTP_STATUS = Pattern.compile("HTTP (\\d{3}) - ");

    private static final String SYSTEM =
            "You are a concise assistant for an online shop. Answer in a few sentences.";
}

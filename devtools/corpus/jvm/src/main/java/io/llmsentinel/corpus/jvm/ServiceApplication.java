package io.llmsentinel.corpus.jvm;

import io.opentelemetry.exporter.logging.otlp.internal.traces.OtlpStdoutSpanExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One instrumented service, set up as a Spring Boot application with Spring AI's OpenAI starter
 * would be: Boot's auto-configuration builds the ChatClient, the observation registry, the
 * Micrometer-to-OpenTelemetry bridge and the SDK (resource {@code service.name} from {@code
 * spring.application.name}, a BatchSpanProcessor over every SpanExporter bean). The only bean of
 * ours is the exporter, which writes OTLP/JSON where a real one would post it.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class ServiceApplication {

    /** Starts the application of {@code service}, its spans written to {@code spanOutput}. */
    static ConfigurableApplicationContext start(
            String service, String serverUrl, OutputStream spanOutput) {
        // The Java SDK's OTLP/HTTP exporter only speaks protobuf through its public API (JSON
        // is an internal switch); the stdout exporter writes the same ExportTraceServiceRequest
        // JSON through the same marshaler, one document per line.
        SpanExporter exporter = OtlpStdoutSpanExporter.builder().setOutput(spanOutput).build();
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("spring.application.name", service);
        props.put("spring.main.banner-mode", "off");
        props.put("spring.main.log-startup-info", "false");
        props.put("spring.ai.openai.base-url", serverUrl);
        props.put("spring.ai.openai.api-key", "sk-corpus-not-a-key");
        props.put("spring.ai.openai.chat.options.model", "gpt-4o-mini");
        // Boot samples 10% of traces by default; a corpus needs every call.
        props.put("management.tracing.sampling.probability", "1.0");
        // Spring AI retries 5xx and I/O errors 10 times with backoff up to 3 minutes by
        // default; an application that serves users caps it. 429 is not retried (a 4xx).
        props.put("spring.ai.retry.max-attempts", "3");
        props.put("spring.ai.retry.backoff.initial-interval", "1s");
        props.put("spring.ai.retry.backoff.multiplier", "2");
        props.put("spring.ai.retry.backoff.max-interval", "5s");
        // Long enough for the fake server's heavy tail (up to 100x a median call) to show as
        // latency rather than as a timeout and a retry.
        props.put("spring.http.client.read-timeout", "300s");
        props.put("spring.http.reactiveclient.read-timeout", "300s");
        props.put("logging.level.root", "WARN");
        // Spring AI logs every failed stream at ERROR with its stack trace; the ledger counts them.
        props.put("logging.level.org.springframework.ai.chat.model.MessageAggregator", "OFF");
        props.put("logging.level.org.springframework.ai.retry", "ERROR");
        return new SpringApplicationBuilder(ServiceApplication.class)
                .web(WebApplicationType.NONE)
                .properties(props)
                .initializers(
                        ctx ->
                                ctx.getBeanFactory()
                                        .registerSingleton("otlpJsonSpanExporter", exporter))
                .run();
    }
}

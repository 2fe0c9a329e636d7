package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.RawMessage;
import io.llmsentinel.functions.read.InvalidReason;
import io.llmsentinel.functions.read.ReadResult;
import io.llmsentinel.functions.read.TelemetryReader;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Kafka messages into LLM requests. What cannot be read goes to the {@link #DEAD_LETTERS}
 * side output with its reason and the original bytes; nothing is dropped silently and bad input
 * never fails the job. Metrics (group {@code sentinel}): messages, llmSpans, skippedSpans and
 * invalid by reason.
 */
public class TelemetryParser extends ProcessFunction<RawMessage, LlmRequest> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryParser.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>(
                    "dead-letters",
                    org.apache.flink.api.common.typeinfo.TypeInformation.of(DeadLetter.class));

    /** Accumulator names: totals over all subtasks, in the result of a bounded run. */
    public static final String ACC_MESSAGES = "sentinel.messages";

    public static final String ACC_LLM_SPANS = "sentinel.llmSpans";
    public static final String ACC_SKIPPED_SPANS = "sentinel.skippedSpans";
    public static final String ACC_INVALID = "sentinel.invalid";

    private final TelemetryReader reader;
    private transient Counter messages;
    private transient Counter llmSpans;
    private transient Counter skippedSpans;
    private transient Map<InvalidReason, Counter> invalid;
    private transient LongCounter messagesTotal;
    private transient LongCounter llmSpansTotal;
    private transient LongCounter skippedSpansTotal;
    private transient LongCounter invalidTotal;
    private transient long loggedInvalid;

    public TelemetryParser(TelemetryReader reader) {
        this.reader = reader;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("sentinel");
        messages = group.counter("messages");
        llmSpans = group.counter("llmSpans");
        skippedSpans = group.counter("skippedSpans");
        // Accumulators too: a bounded run (tests, backfills) reports its totals in the result.
        messagesTotal = accumulator(ACC_MESSAGES);
        llmSpansTotal = accumulator(ACC_LLM_SPANS);
        skippedSpansTotal = accumulator(ACC_SKIPPED_SPANS);
        invalidTotal = accumulator(ACC_INVALID);
        invalid = new EnumMap<>(InvalidReason.class);
        MetricGroup invalidGroup = group.addGroup("invalid");
        for (InvalidReason r : InvalidReason.values()) {
            invalid.put(r, invalidGroup.counter(r.code()));
        }
    }

    private LongCounter accumulator(String name) {
        // One parser per task (each input has its own source chain); Flink sums them by name.
        LongCounter c = new LongCounter();
        getRuntimeContext().addAccumulator(name, c);
        return c;
    }

    @Override
    public void processElement(RawMessage raw, Context ctx, Collector<LlmRequest> out) {
        messages.inc();
        messagesTotal.add(1);
        ReadResult result = reader.read(raw.value);
        for (LlmRequest r : result.requests()) {
            llmSpans.inc();
            out.collect(r);
        }
        llmSpansTotal.add(result.requests().size());
        skippedSpans.inc(result.skipped());
        skippedSpansTotal.add(result.skipped());
        for (ReadResult.Invalid bad : result.invalid()) {
            invalid.get(bad.reason()).inc();
            invalidTotal.add(1);
            ctx.output(DEAD_LETTERS, DeadLetter.of(raw, bad.reason().code(), bad.detail()));
            // Log the first few and then every thousandth, so a flood of bad input stays readable.
            if (loggedInvalid++ < 10 || loggedInvalid % 1000 == 0) {
                LOG.warn(
                        "Unreadable input from {}/{} offset {} ({}): {}. Sent to the dead-letter"
                                + " topic; {} such messages so far on this subtask.",
                        raw.topic,
                        raw.partition,
                        raw.offset,
                        bad.reason().code(),
                        bad.detail(),
                        loggedInvalid);
            }
        }
    }
}

package io.llmsentinel.functions.flink;

import io.llmsentinel.functions.model.DeadLetter;
import io.llmsentinel.functions.model.LlmRequest;
import io.llmsentinel.functions.model.MetricPoint;
import io.llmsentinel.functions.model.ReadMessage;
import io.llmsentinel.functions.read.InvalidReason;
import io.llmsentinel.functions.read.KeyBudget;
import io.llmsentinel.functions.read.SkipReason;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans each message read in the source out into its LLM requests, each stamped with its own event
 * time, and its dead letter, if any, to {@link #DEAD_LETTERS}. Watermarks pass through as the
 * source made them (per Kafka partition, from the messages' event times), which a timestamp
 * assigner here would replace. Keys beyond the {@link KeyBudget} are folded into overflow keys.
 *
 * <p>GenAI metric points go to {@link #METRIC_POINTS}, under the same key budget: a point of a key
 * beyond it is folded like a request, except a cumulative one, whose running totals cannot be told
 * apart from those of the other keys folded with it: it is refused, counted ({@code
 * overflowedMetricPoints}) and reported in one dead letter per message (reason {@code key_budget}).
 *
 * <p>Metrics (group {@code sentinel}): messages, llmSpans, metricPoints, skippedSpans (and {@code
 * skippedSpans.<reason>} for each {@link SkipReason}), deadLetters, invalid by reason,
 * cleanedDimensions, overflowedKeys, activeKeys; the same totals as accumulators for bounded runs,
 * the skipped spans by reason too ({@code sentinel.skippedSpans.<reason>}).
 */
public class RequestsFromMessages extends AbstractStreamOperator<LlmRequest>
        implements OneInputStreamOperator<ReadMessage, LlmRequest> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RequestsFromMessages.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    /** GenAI metric points of OTLP metrics messages, each at its own time. */
    public static final OutputTag<MetricPoint> METRIC_POINTS =
            new OutputTag<>("metric-points", TypeInformation.of(MetricPoint.class));

    /** Accumulator names: totals over all subtasks, in the result of a bounded run. */
    public static final String ACC_MESSAGES = "sentinel.messages";

    public static final String ACC_LLM_SPANS = "sentinel.llmSpans";
    public static final String ACC_SKIPPED_SPANS = "sentinel.skippedSpans";
    public static final String ACC_INVALID = "sentinel.invalid";
    public static final String ACC_DEAD_LETTERS = "sentinel.deadLetters";

    /** The accumulator of the spans skipped for {@code reason}. */
    public static String accSkippedSpans(SkipReason reason) {
        return ACC_SKIPPED_SPANS + "." + reason.code();
    }

    private final int maxKeysPerSubtask;
    private final int maxKeysPerService;
    private final long keyIdleMs;

    private transient KeyBudget budget;
    private transient StreamRecord<LlmRequest> reuse;
    private transient Counter messages;
    private transient Counter metricPoints;
    private transient Counter llmSpans;
    private transient Counter skippedSpans;
    private transient Counter[] skippedByReason;
    private transient LongCounter[] skippedByReasonTotal;
    private transient Counter deadLetters;
    private transient Counter cleaned;
    private transient Counter overflowed;
    private transient Counter overflowedPoints;
    private transient Map<String, Counter> invalid;
    private transient MetricGroup invalidGroup;
    private transient LongCounter messagesTotal;
    private transient LongCounter llmSpansTotal;
    private transient LongCounter skippedSpansTotal;
    private transient LongCounter invalidTotal;
    private transient LongCounter deadLettersTotal;
    private transient long loggedInvalid;
    private transient long loggedOverflow;

    public RequestsFromMessages(int maxKeysPerSubtask, int maxKeysPerService, long keyIdleMs) {
        this.maxKeysPerSubtask = maxKeysPerSubtask;
        this.maxKeysPerService = maxKeysPerService;
        this.keyIdleMs = keyIdleMs;
        // Chained to its Kafka source like any function would be (an operator of our own is a
        // chain's head unless it says otherwise): without this every message crossed the network
        // once more, all its requests serialized, between the source and this operator.
        this.chainingStrategy = ChainingStrategy.ALWAYS;
    }

    @Override
    public void open() throws Exception {
        super.open();
        budget = new KeyBudget(maxKeysPerSubtask, maxKeysPerService, keyIdleMs);
        reuse = new StreamRecord<>(null);
        MetricGroup group = getMetricGroup().addGroup("sentinel");
        messages = group.counter("messages");
        llmSpans = group.counter("llmSpans");
        metricPoints = group.counter("metricPoints");
        skippedSpans = group.counter("skippedSpans");
        // Named "skippedSpans.<reason>" in this group rather than a subgroup "skippedSpans": a
        // subgroup named like a counter is a name collision Flink warns about; reporters show
        // the same name either way (sentinel.skippedSpans.agent, sentinel_skippedSpans_agent).
        SkipReason[] reasons = SkipReason.values();
        skippedByReason = new Counter[reasons.length];
        skippedByReasonTotal = new LongCounter[reasons.length];
        for (SkipReason r : reasons) {
            skippedByReason[r.ordinal()] = group.counter("skippedSpans." + r.code());
            skippedByReasonTotal[r.ordinal()] = accumulator(accSkippedSpans(r));
        }
        deadLetters = group.counter("deadLetters");
        cleaned = group.counter("cleanedDimensions");
        overflowed = group.counter("overflowedKeys");
        overflowedPoints = group.counter("overflowedMetricPoints");
        group.gauge("activeKeys", () -> budget.activeKeys());
        invalidGroup = group.addGroup("invalid");
        invalid = new HashMap<>();
        for (InvalidReason r : InvalidReason.values()) {
            invalid.put(r.code(), invalidGroup.counter(r.code()));
        }
        messagesTotal = accumulator(ACC_MESSAGES);
        llmSpansTotal = accumulator(ACC_LLM_SPANS);
        skippedSpansTotal = accumulator(ACC_SKIPPED_SPANS);
        invalidTotal = accumulator(ACC_INVALID);
        deadLettersTotal = accumulator(ACC_DEAD_LETTERS);
    }

    private LongCounter accumulator(String name) {
        LongCounter c = new LongCounter();
        getRuntimeContext().addAccumulator(name, c);
        return c;
    }

    @Override
    public void processElement(StreamRecord<ReadMessage> element) {
        ReadMessage m = element.getValue();
        messages.inc();
        messagesTotal.add(1);
        skippedSpans.inc(m.skipped);
        skippedSpansTotal.add(m.skipped);
        int[] byReason = m.skippedByReason;
        if (byReason != null) {
            for (int i = 0; i < byReason.length && i < skippedByReason.length; i++) {
                if (byReason[i] > 0) {
                    skippedByReason[i].inc(byReason[i]);
                    skippedByReasonTotal[i].add(byReason[i]);
                }
            }
        }
        cleaned.inc(m.cleanedDimensions);
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (LlmRequest r : m.requests) {
            if (budget.admit(r, now)) {
                overflowed.inc();
                if (loggedOverflow++ % 1000 == 0) {
                    LOG.warn(
                            "More distinct keys than allowed ({} per reader, {} per service): new"
                                    + " keys are folded into '{}' ({} requests so far on this"
                                    + " subtask). Raise keys.max-per-subtask or"
                                    + " keys.max-per-service, or check the service that sends"
                                    + " random model names.",
                            maxKeysPerSubtask,
                            maxKeysPerService,
                            KeyBudget.OVERFLOW,
                            loggedOverflow);
                }
            }
            llmSpans.inc();
            output.collect(reuse.replace(r, r.eventTimeMs));
        }
        llmSpansTotal.add(m.requests.length);
        DeadLetter d = m.deadLetter;
        if (m.points != null) {
            int refused = 0;
            for (MetricPoint p : m.points) {
                metricPoints.inc();
                if (budget.admit(p, now)) {
                    overflowed.inc();
                    if (p.cumulative) {
                        refused++;
                        continue;
                    }
                }
                output.collect(METRIC_POINTS, new StreamRecord<>(p, p.timeMs));
            }
            if (refused > 0) {
                overflowedPoints.inc(refused);
                d = overBudget(m, d, refused);
            }
        }
        if (d != null) {
            deadLetters.inc();
            deadLettersTotal.add(1);
            invalidTotal.add(d.invalidCount);
            countReasons(d.reasons);
            output.collect(DEAD_LETTERS, new StreamRecord<>(d, element.getTimestamp()));
            // The first few and then every thousandth, so a flood of bad input stays readable.
            if (loggedInvalid++ < 10 || loggedInvalid % 1000 == 0) {
                LOG.warn(
                        "Unreadable input from {}/{} offset {} ({}, {} bytes): {}. Sent to the"
                                + " dead-letter topic; {} such messages so far on this subtask.",
                        d.sourceTopic,
                        d.sourcePartition,
                        d.sourceOffset,
                        d.reasons,
                        d.sizeBytes,
                        d.detail,
                        loggedInvalid);
            }
        }
    }

    /**
     * The message's dead letter, made or extended for cumulative points refused by the key budget:
     * no copy of the message (its points were readable), the count and the next step.
     */
    private DeadLetter overBudget(ReadMessage m, DeadLetter d, int refused) {
        String detail =
                refused
                        + " cumulative GenAI metric point(s) of keys beyond the key budget ("
                        + maxKeysPerSubtask
                        + " per reader, "
                        + maxKeysPerService
                        + " per service) were not counted; raise keys.max-per-service or"
                        + " keys.max-per-subtask, or check the service that sends random model"
                        + " names";
        String reason = "key_budget=" + refused;
        if (d == null) {
            d = new DeadLetter();
            d.reason = "key_budget";
            d.reasons = reason;
            d.detail = detail;
            d.sourceTopic = m.sourceTopic;
            d.sourcePartition = m.sourcePartition;
            d.sourceOffset = m.sourceOffset;
            d.sourceTimestampMs = m.eventTimeMs;
            d.failedAtMs = getProcessingTimeService().getCurrentProcessingTime();
        } else {
            d.reasons =
                    d.reasons == null || d.reasons.isEmpty() ? reason : d.reasons + "," + reason;
            d.detail = d.detail + "; " + detail;
        }
        d.invalidCount += refused;
        return d;
    }

    /** {@code invalid_value=2,wrong_type=1}: each reason's counter by its count. */
    private void countReasons(String reasons) {
        if (reasons == null || reasons.isEmpty()) {
            return;
        }
        for (String part : reasons.split(",")) {
            int eq = part.indexOf('=');
            String code = eq < 0 ? part : part.substring(0, eq);
            long n = eq < 0 ? 1 : Long.parseLong(part.substring(eq + 1));
            invalid.computeIfAbsent(code, c -> invalidGroup.counter(c)).inc(n);
        }
    }
}
